"""A notice in its reader's language: the content fallback chain, and which language was served."""

from __future__ import annotations

import msgspec

from liaison.i18n.locales import content_language, is_rtl, normalize
from liaison.notices.models import Notice, NoticeRecipient
from liaison.notices.schemas import NoticeOut


def pick(content: dict[str, dict[str, str]], locale: str | None, accept: str | None) -> tuple[str, dict[str, str]]:
    """(lang, {"title","body","source"}): caller's locale → Accept-Language → English → French → any."""
    by_norm = {normalize(k): v for k, v in content.items()}
    lang = content_language(list(by_norm), locale, accept)
    return lang, by_norm[lang]


def status(notice: Notice) -> str:
    if notice.superseded_at is not None:
        return "superseded"
    if notice.cancelled_at is not None:
        return "cancelled"
    return "active"


def notice_out(
    notice: Notice,
    locale: str | None,
    accept: str | None,
    recipient: NoticeRecipient | None = None,
    *,
    staff: bool = False,
    acknowledged_count: int | None = None,
) -> NoticeOut:
    lang, text = pick(notice.content, locale, accept)
    return NoticeOut(
        id=notice.id,
        kind=notice.kind,
        priority=notice.priority,  # type: ignore[arg-type]
        requires_ack=notice.requires_ack,
        title=text.get("title", ""),
        body=text.get("body", ""),
        lang=lang,
        source=text.get("source", "human"),  # type: ignore[arg-type]
        languages=sorted(notice.content),
        created_at=notice.created_at,
        status=status(notice),  # type: ignore[arg-type]
        acknowledged_at=recipient.acknowledged_at if recipient else None,
        ack_deadline=notice.ack_deadline,
        cancelled_at=notice.cancelled_at,
        cancel_reason=notice.cancel_reason,
        supersedes=notice.supersedes_id,
        superseded_by=notice.superseded_by_id,
        escalation_of=notice.escalation_of_id,
        venue_id=notice.venue_id,
        shift_id=notice.shift_id,
        date=notice.on_date,
        dir="rtl" if is_rtl(lang) else "ltr",
        audience=dict(notice.audience) if staff else None,
        content={k: dict(v) for k, v in notice.content.items()} if staff else None,
        audience_count=notice.recipients if staff else None,
        acknowledged_count=acknowledged_count if staff else None,
    )


def as_data(out: NoticeOut) -> dict[str, object]:
    """The sync `data` of one notice: exactly the JSON the REST API returns for it."""
    return msgspec.to_builtins(out)
