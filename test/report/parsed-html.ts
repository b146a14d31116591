import { parse } from 'parse5';

/** A parsed element or text node, as parse5's default tree adapter gives it (only what the tests read). */
export interface HtmlNode {
  nodeName: string;
  tagName?: string;
  value?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: HtmlNode[];
  content?: HtmlNode;
}

/** The report parsed as a browser parses it. */
export function parseHtml(html: string): HtmlNode {
  return parse(html) as unknown as HtmlNode;
}

export function all(node: HtmlNode, match: (n: HtmlNode) => boolean): HtmlNode[] {
  const out: HtmlNode[] = [];
  const walk = (n: HtmlNode) => {
    if (match(n)) out.push(n);
    for (const c of n.childNodes ?? []) walk(c);
  };
  walk(node);
  return out;
}

export const byTag = (root: HtmlNode, tag: string) => all(root, (n) => n.tagName === tag);
export const attr = (n: HtmlNode, name: string) => n.attrs?.find((a) => a.name === name)?.value;
export const byId = (root: HtmlNode, id: string) => all(root, (n) => attr(n, 'id') === id)[0];

/** The text a reader sees in a node (entities decoded). */
export function text(node: HtmlNode | undefined): string {
  if (!node) return '';
  if (node.nodeName === '#text') return node.value ?? '';
  return (node.childNodes ?? []).map(text).join('');
}

/** The rows of the first table under `node`, each row its cells' text. */
export function tableRows(node: HtmlNode | undefined): string[][] {
  if (!node) return [];
  const [tbody] = byTag(node, 'tbody');
  return tbody ? byTag(tbody, 'tr').map((tr) => byTag(tr, 'td').map((td) => text(td).trim())) : [];
}
