/** Distinct, colorblind-friendlier hues for lines and services (Okabe–Ito first, then extras). */
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#8c6d31', '#7b4ea3', '#2ca02c', '#b8860b', '#17becf', '#9467bd'];

export function paletteColor(index: number): string {
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}
