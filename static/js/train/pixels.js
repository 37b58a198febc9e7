// Images painted pixel by pixel: a digit's 8×8 inputs, or the weights a neuron gives them.

import { divergingScale } from "./palette.js";

// One ImageData per image size, reused: putImageData copies it, and a streamed run paints the same few
// sizes many times a second.
const images = new Map();

function imageOf(cols, rows) {
  const key = `${cols}x${rows}`;
  if (!images.has(key)) images.set(key, new ImageData(cols, rows));
  return images.get(key);
}

/**
 * Paint a row-major image (row 0 at the top) of `rows` × `cols` values onto a canvas, one crisp block per
 * pixel, with the diverging palette over `domain` [low, middle, high].
 */
export function paintPixels(canvas, values, rows, cols, domain) {
  if (canvas.width !== cols || canvas.height !== rows) {
    canvas.width = cols;
    canvas.height = rows;
  }
  const image = imageOf(cols, rows);
  const { data } = image;
  const colour = divergingScale(domain);
  for (let i = 0; i < rows * cols; i++) {
    const shade = colour(values?.[i]);
    data[i * 4] = shade[0];
    data[i * 4 + 1] = shade[1];
    data[i * 4 + 2] = shade[2];
    data[i * 4 + 3] = 255;
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
}
