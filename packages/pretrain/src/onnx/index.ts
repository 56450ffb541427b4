export { GraphBuilder, OnnxGraphError, type AttrValue, type Dim, type ModelOptions } from './graph-builder.js';
export { DataType, ModelProto } from './onnx-proto.js';
