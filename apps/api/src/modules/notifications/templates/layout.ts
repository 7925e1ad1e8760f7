import type { MailContent } from "./content.js";

// The HTML and plain-text parts of every mail: simple markup with inline styles (mail clients ignore
// style sheets), every word escaped, and a text part that says the same with the link spelled out.

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderText(content: MailContent): string {
  const lines = [content.greeting, "", ...content.paragraphs.flatMap((p) => [p, ""])];
  if (content.items?.length) lines.push(...content.items.map((item) => `  - ${item}`), "");
  if (content.action) lines.push(`${content.action.label}: ${content.action.url}`, "");
  if (content.footnote) lines.push(content.footnote, "");
  lines.push("Frontrow");
  return lines.join("\n");
}

export function renderHtml(content: MailContent, lang: string): string {
  const paragraphs = content.paragraphs
    .map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`)
    .join("");
  const items = content.items?.length
    ? `<ul style="margin:0 0 16px;padding-left:20px">${content.items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>`
    : "";
  const action = content.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(content.action.url)}" style="background:#4338ca;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(content.action.label)}</a></p><p style="margin:0 0 16px;font-size:13px;color:#555">${escapeHtml(content.action.url)}</p>`
    : "";
  const footnote = content.footnote
    ? `<p style="margin:24px 0 0;font-size:13px;color:#555">${escapeHtml(content.footnote)}</p>`
    : "";
  return `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(content.subject)}</title></head><body style="margin:0;padding:24px;background:#f5f5f7;font-family:system-ui,sans-serif;font-size:16px;line-height:1.5;color:#111"><div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px"><p style="margin:0 0 16px">${escapeHtml(content.greeting)}</p>${paragraphs}${items}${action}${footnote}<p style="margin:24px 0 0;color:#555">Frontrow</p></div></body></html>`;
}
