// The widget's stylesheet. It lives inside the shadow root (adopted as a constructed
// stylesheet, which CSP `style-src 'self'` allows), so the shop's CSS cannot reach it and it
// cannot reach the shop. Hosts theme it only through the --kefu-* custom properties below.

export const WIDGET_CSS = `
:host {
  all: initial;
  --kefu-accent: #2f5fd0;
  --kefu-accent-contrast: #ffffff;
  --kefu-font: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
  --kefu-font-size: 15px;
  --kefu-radius: 14px;
  --kefu-bg: #ffffff;
  --kefu-fg: #1c1d21;
  --kefu-muted: #5d6170;
  --kefu-border: #d9dbe3;
  --kefu-customer-bg: var(--kefu-accent);
  --kefu-customer-fg: var(--kefu-accent-contrast);
  --kefu-assistant-bg: #f1f2f6;
  --kefu-agent-bg: #e7f5ec;
  --kefu-notice-bg: #fff6db;
  --kefu-notice-fg: #5b4300;
  --kefu-panel-width: 370px;
  --kefu-panel-height: 580px;
  --kefu-offset-x: 20px;
  --kefu-offset-y: 20px;
  --kefu-z-index: 2147483000;
  --kefu-shadow: 0 12px 40px rgba(20, 23, 40, 0.22);
  position: fixed;
  z-index: var(--kefu-z-index);
  bottom: var(--kefu-offset-y);
  right: var(--kefu-offset-x);
  font-family: var(--kefu-font);
  font-size: var(--kefu-font-size);
  line-height: 1.45;
  color: var(--kefu-fg);
}
:host([position="left"]) { right: auto; left: var(--kefu-offset-x); }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.sr-only {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
button, input, textarea { font: inherit; color: inherit; }
button { cursor: pointer; }
:focus-visible { outline: 3px solid var(--kefu-accent); outline-offset: 2px; }

.launcher {
  display: flex; align-items: center; justify-content: center;
  width: 58px; height: 58px; border-radius: 50%; border: none;
  background: var(--kefu-accent); color: var(--kefu-accent-contrast);
  box-shadow: var(--kefu-shadow); margin-left: auto;
}
.launcher svg { width: 28px; height: 28px; fill: currentColor; }
.launcher[aria-expanded="true"] { display: none; }

.panel {
  display: flex; flex-direction: column;
  width: min(var(--kefu-panel-width), calc(100vw - 2 * var(--kefu-offset-x)));
  height: min(var(--kefu-panel-height), calc(100vh - 2 * var(--kefu-offset-y)));
  background: var(--kefu-bg); color: var(--kefu-fg);
  border: 1px solid var(--kefu-border); border-radius: var(--kefu-radius);
  box-shadow: var(--kefu-shadow); overflow: hidden;
}
.header {
  display: flex; align-items: flex-start; gap: 8px; padding: 14px 14px 12px 16px;
  background: var(--kefu-accent); color: var(--kefu-accent-contrast);
}
.header .titles { flex: 1; min-width: 0; }
.title { margin: 0; font-size: 1.05em; font-weight: 650; }
.subtitle { margin: 2px 0 0; font-size: 0.82em; opacity: 0.92; }
.close {
  border: none; background: transparent; color: inherit; font-size: 22px; line-height: 1;
  width: 32px; height: 32px; border-radius: 8px;
}
.close:hover { background: rgba(255, 255, 255, 0.16); }

.notice {
  margin: 0; padding: 8px 14px; font-size: 0.88em;
  background: var(--kefu-notice-bg); color: var(--kefu-notice-fg);
  border-bottom: 1px solid var(--kefu-border);
}
.log { flex: 1; min-height: 96px; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 8px; }
.translation-progress { display: flex; align-items: center; gap: 8px; margin: 8px 12px 0; font-size: 0.82em; color: var(--kefu-muted); }
.translation-progress[hidden] { display: none; }
.translation-progress progress { flex: 1; height: 6px; accent-color: var(--kefu-accent); }
.mt { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-top: 6px; font-size: 0.78em; color: var(--kefu-muted); }
.mt-toggle {
  font: inherit; color: var(--kefu-accent); background: none; border: 0; padding: 0; cursor: pointer; text-decoration: underline;
}
.mt-toggle[aria-pressed="true"] { font-weight: 600; }
.message { max-width: 86%; padding: 8px 12px; border-radius: calc(var(--kefu-radius) - 2px); white-space: pre-wrap; overflow-wrap: anywhere; }
.message[data-role="customer"] { align-self: flex-end; background: var(--kefu-customer-bg); color: var(--kefu-customer-fg); }
.message[data-role="assistant"] { align-self: flex-start; background: var(--kefu-assistant-bg); }
.message[data-role="agent"] { align-self: flex-start; background: var(--kefu-agent-bg); }
.message[data-role="system"] {
  align-self: center; max-width: 100%; background: transparent; color: var(--kefu-muted);
  font-size: 0.85em; text-align: center; padding: 2px 8px;
}
.author { display: block; font-size: 0.78em; font-weight: 600; color: var(--kefu-muted); margin-bottom: 2px; }
.text { margin: 0; }
.suggestions { display: flex; flex-direction: column; gap: 6px; margin-top: 8px; }
.suggestion {
  text-align: left; padding: 6px 10px; border-radius: 9px;
  border: 1px solid var(--kefu-accent); background: var(--kefu-bg); color: var(--kefu-accent);
}
.suggestion:hover { background: var(--kefu-accent); color: var(--kefu-accent-contrast); }
.typing { padding: 0 16px 6px; font-size: 0.85em; color: var(--kefu-muted); }

.handoff {
  display: flex; flex-direction: column; gap: 8px; padding: 12px 14px; max-height: 55%; overflow-y: auto; flex-shrink: 0;
  border-top: 1px solid var(--kefu-border); font-size: 0.9em;
}
.handoff p { margin: 0; }
.handoff input[type="email"] {
  width: 100%; padding: 7px 9px; border: 1px solid var(--kefu-border); border-radius: 8px; background: var(--kefu-bg);
}
.handoff .consent { display: flex; gap: 8px; align-items: flex-start; }
.handoff .consent input { margin-top: 3px; }
.handoff .error { color: #a3001b; }
.handoff .buttons { display: flex; gap: 8px; justify-content: flex-end; }

.actions { padding: 6px 14px 0; }
.person {
  width: 100%; padding: 7px 10px; border-radius: 9px;
  border: 1px solid var(--kefu-border); background: var(--kefu-bg); color: var(--kefu-fg);
}
.person:hover { border-color: var(--kefu-accent); }
.composer { display: flex; gap: 8px; padding: 10px 14px 14px; align-items: flex-end; }
.input {
  flex: 1; resize: none; min-height: 40px; max-height: 120px; padding: 9px 11px;
  border: 1px solid var(--kefu-border); border-radius: 10px; background: var(--kefu-bg);
}
.primary {
  padding: 9px 14px; border: none; border-radius: 10px;
  background: var(--kefu-accent); color: var(--kefu-accent-contrast); font-weight: 600;
}
.secondary {
  padding: 9px 14px; border-radius: 10px; border: 1px solid var(--kefu-border); background: var(--kefu-bg);
}
button:disabled { opacity: 0.55; cursor: default; }
@media (prefers-reduced-motion: no-preference) {
  .panel { animation: kefu-in 160ms ease-out; }
  @keyframes kefu-in { from { opacity: 0; transform: translateY(8px); } to { opacity: 1; transform: none; } }
}
`;
