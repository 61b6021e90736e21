/**
 * Reading QR codes: the browser's BarcodeDetector where it has one (Android, macOS, ChromeOS), else jsQR on
 * canvas frames (loaded only then). From the camera, frame after frame, or once from a photo.
 */

interface Detector {
	detect(source: CanvasImageSource | ImageBitmap): Promise<{ rawValue: string }[]>;
}

let detector: Detector | null | undefined;

async function nativeDetector(): Promise<Detector | null> {
	if (detector !== undefined) return detector;
	detector = null;
	const Native = (globalThis as unknown as { BarcodeDetector?: { new (o: object): Detector; getSupportedFormats(): Promise<string[]> } })
		.BarcodeDetector;
	if (Native) {
		try {
			if ((await Native.getSupportedFormats()).includes('qr_code')) detector = new Native({ formats: ['qr_code'] });
		} catch {
			detector = null;
		}
	}
	return detector;
}

/** Which reader this browser uses, for the desk's status line. */
export async function readerName(): Promise<'native' | 'js'> {
	return (await nativeDetector()) ? 'native' : 'js';
}

const canvas = typeof document !== 'undefined' ? document.createElement('canvas') : null;

async function decodePixels(source: CanvasImageSource, width: number, height: number): Promise<string | null> {
	if (!canvas || !width || !height) return null;
	// Large photos are scaled down: jsQR's time grows with the pixels, and a QR needs far fewer.
	const scale = Math.min(1, 1280 / Math.max(width, height));
	canvas.width = Math.round(width * scale);
	canvas.height = Math.round(height * scale);
	const context = canvas.getContext('2d', { willReadFrequently: true });
	if (!context) return null;
	context.drawImage(source, 0, 0, canvas.width, canvas.height);
	const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
	const { default: jsQR } = await import('jsqr');
	return jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
}

async function decode(source: CanvasImageSource | ImageBitmap, width: number, height: number): Promise<string | null> {
	const native = await nativeDetector();
	if (native) {
		try {
			const found = await native.detect(source);
			if (found.length) return found[0].rawValue;
		} catch {
			// fall through to the JS reader
		}
	}
	return decodePixels(source, width, height);
}

/** One photo (file input): the QR's text, or null when none is found. */
export async function readPhoto(file: Blob): Promise<string | null> {
	const bitmap = await createImageBitmap(file);
	try {
		return await decode(bitmap, bitmap.width, bitmap.height);
	} finally {
		bitmap.close();
	}
}

/** Scans the video until `onCode` returns true or the returned stop() is called. */
export function scanVideo(video: HTMLVideoElement, onCode: (text: string) => boolean | Promise<boolean>): () => void {
	let running = true;
	const tick = async () => {
		if (!running) return;
		if (video.readyState >= video.HAVE_CURRENT_DATA) {
			const text = await decode(video, video.videoWidth, video.videoHeight).catch(() => null);
			if (text && running && (await onCode(text))) {
				running = false;
				return;
			}
		}
		// About six frames a second: enough for a hand-held code, little battery.
		if (running) setTimeout(tick, 150);
	};
	void tick();
	return () => {
		running = false;
	};
}

export async function openCamera(video: HTMLVideoElement): Promise<MediaStream> {
	const stream = await navigator.mediaDevices.getUserMedia({
		video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
		audio: false
	});
	video.srcObject = stream;
	video.setAttribute('playsinline', '');
	video.muted = true;
	await video.play();
	return stream;
}

export function closeCamera(stream: MediaStream | null, video: HTMLVideoElement | null): void {
	stream?.getTracks().forEach((track) => track.stop());
	if (video) video.srcObject = null;
}
