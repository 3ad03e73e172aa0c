// Renders the app icon from its one source, build/icon.svg, into what electron-builder
// packages: build/icons/<size>x<size>.png (Linux, and the window icon), build/icon.icns
// (macOS) and build/icon.ico (Windows). Run after editing the SVG, and commit the output:
//   node scripts/make-icons.mjs
import { Resvg } from '@resvg/resvg-js';
import png2icons from 'png2icons';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const buildDir = fileURLToPath(new URL('../build/', import.meta.url));
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

const svg = readFileSync(join(buildDir, 'icon.svg'));
const render = (size) => new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng();

mkdirSync(join(buildDir, 'icons'), { recursive: true });
for (const size of SIZES) writeFileSync(join(buildDir, 'icons', `${size}x${size}.png`), render(size));
const large = render(1024);
// Bicubic resampling from the 1024 px render for the sizes inside the containers.
const icns = png2icons.createICNS(large, png2icons.BICUBIC, 0);
const ico = png2icons.createICO(large, png2icons.BICUBIC, 0, false, true);
if (!icns || !ico) throw new Error('png2icons could not convert build/icons/1024x1024.png');
writeFileSync(join(buildDir, 'icon.icns'), icns);
writeFileSync(join(buildDir, 'icon.ico'), ico);
process.stdout.write(`wrote build/icons/ (${SIZES.join(', ')} px), build/icon.icns and build/icon.ico\n`);
