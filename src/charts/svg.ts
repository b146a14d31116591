import { Resvg } from '@resvg/resvg-js';

/** Text for an SVG element: `&` and `<` escaped. */
export const svgText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A chart's SVG as a PNG, in the font every chart is drawn with. */
export function svgToPng(svg: string): Buffer {
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
