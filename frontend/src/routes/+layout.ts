// A single-page app: everything renders in the browser from IndexedDB; the server only sends data.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';
