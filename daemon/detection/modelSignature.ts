/** Recognises which decoder fits an ONNX model from its inputs and outputs (for models given by path). */
import type { InferenceSession } from 'onnxruntime-node';
import type { ModelDecoder } from '../protocol';
import { BLAZEFACE_INPUT_SIZE } from './blazeface';
import { YUNET_STRIDES } from './yunet';

function inputShape(session: InferenceSession): readonly (number | string)[] | null {
  const input = session.inputMetadata[0];
  return input?.isTensor ? input.shape : null;
}

/** The decoder whose tensor layout this session has, or null when it is neither BlazeFace nor YuNet. */
export function decoderFor(session: InferenceSession): ModelDecoder | null {
  const shape = inputShape(session);
  const outputs = new Set(session.outputNames);
  if (YUNET_STRIDES.every((s) => outputs.has(`cls_${s}`) && outputs.has(`obj_${s}`) && outputs.has(`bbox_${s}`)) && shape?.length === 4) return 'yunet';
  const size = BLAZEFACE_INPUT_SIZE;
  if (shape?.length === 4 && shape[1] === size && shape[2] === size && shape[3] === 3 && session.outputNames.length === 4) return 'blazeface';
  return null;
}
