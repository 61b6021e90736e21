# Liaison API + built PWA. Build: docker build -t liaison .
FROM node:20-bookworm-slim AS pwa
WORKDIR /src
COPY frontend/package.json frontend/package-lock.json frontend/
# npm ci wants every platform's optional rollup binary in the lock; fall back where the registry lacks them
RUN cd frontend && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund)
COPY frontend frontend
COPY locales locales
RUN cd frontend && npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    LIAISON_HOST=0.0.0.0 LIAISON_PORT=8000 LIAISON_STATIC_DIR=/app/frontend/build LIAISON_DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY backend backend
# Editable, so the package finds migrations/ and locales/ beside it in /app.
RUN pip install --no-cache-dir -e .
COPY migrations migrations
COPY locales locales
COPY --from=pwa /src/frontend/build frontend/build
RUN useradd --system --home /data liaison && mkdir -p /data && chown liaison /data
USER liaison
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health').status != 200)"
CMD ["liaison", "serve", "--no-migrate", "--workers", "2"]
