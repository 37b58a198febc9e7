// Images painted pixel by pixel: a digit's 8×8 inputs, or the weights a neuron gives them.

import { divergingScale } from "./palette.js";

/**
 * Paint a row-major image (row 0 at the top) of `rows` × `cols` values onto a canvas, one crisp block per
 * pixel, with the diverging palette over `domain` [low, middle, high].
 */
export function paintPixels(canvas, values, rows, cols, domain) {
  if (canvas.width !== cols || canvas.height !== rows) {
    canvas.width = cols;
    canvas.height = rows;
  }
  const image = new ImageData(cols, rows);
  const colour = divergingScale(domain);
  for (let i = 0; i < rows * cols; i++) {
    const [red, green, blue] = colour(values?.[i]);
    image.data.set([red, green, blue, 255], i * 4);
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
}
