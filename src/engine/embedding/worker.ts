/**
 * Inference worker: owns one onnxruntime session and one tokenizer. onnxruntime-node's run() blocks the
 * thread it is called on for the whole batch, so it must never run on the caller's event loop; tokenising
 * here too keeps the main thread free of the other CPU-heavy step.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { float16BitsToFloat32 } from './float16.ts';
import type { OutputTensor } from './pooling.ts';
import { poolOutput } from './pooling.ts';
import type {
  InferenceRequest,
  InferenceWorkerData,
  InferResult,
  ModelInfo,
  PackedSequences,
  WorkerReply,
  WorkerTask,
} from './protocol.ts';
import { toWireError } from './protocol.ts';
import { createTokenEncoder, type TokenEncoder } from './token-encoder.ts';

/** Inputs a sentence-embedding export may declare; we can feed exactly these. */
const FEEDABLE_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids']);

const PROBE_TEXT = 'function probe() { return 1; }';

interface Model {
  readonly session: InferenceSession;
  readonly encoder: TokenEncoder;
  readonly outputName: string;
}

const port = parentPort;
if (!port) throw new Error('worker.ts must run inside a worker thread');
const data = workerData as InferenceWorkerData;

function post(reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(reply, transfer);
}

function chooseOutput(session: InferenceSession): string {
  const names = session.outputNames;
  if (data.outputName !== undefined) {
    if (!names.includes(data.outputName)) {
      throw new Error(
        `config outputName "${data.outputName}" is not a graph output (outputs: ${names.join(', ')})`,
      );
    }
    return data.outputName;
  }
  const preferred = data.pooling === 'none' ? 'sentence_embedding' : 'last_hidden_state';
  const first = names[0];
  if (first === undefined) throw new Error('the graph has no outputs');
  return names.includes(preferred) ? preferred : first;
}

/** Runs one loading step and prefixes its error with the file it concerns, so the caller knows where to look. */
async function step<T>(file: string, action: () => T | Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

async function openModel(): Promise<Model> {
  const { tokenizerPath, tokenizerConfigPath, modelPath } = data;
  const tokenizerJson = await step(tokenizerPath, () => readJson(tokenizerPath));
  const tokenizerConfig = tokenizerConfigPath
    ? await step(tokenizerConfigPath, () => readJson(tokenizerConfigPath))
    : {};
  const encoder = await step(tokenizerPath, () =>
    createTokenEncoder(tokenizerJson, tokenizerConfig, data.maxTokens),
  );
  const session = await step(modelPath, () => openSession(modelPath));
  const unsupported = session.inputNames.filter((name) => !FEEDABLE_INPUTS.has(name));
  if (unsupported.length > 0) {
    throw new Error(
      `${modelPath}: the graph declares input(s) ${unsupported.join(', ')}; only ${[...FEEDABLE_INPUTS].join(', ')} can be fed`,
    );
  }
  if (!session.inputNames.includes('input_ids'))
    throw new Error(`${modelPath}: the graph has no input_ids input`);
  return { session, encoder, outputName: await step(modelPath, () => chooseOutput(session)) };
}

function openSession(modelPath: string): Promise<InferenceSession> {
  return InferenceSession.create(modelPath, {
    // Set explicitly: the default is every core of the host, not the CPUs this process was given.
    intraOpNumThreads: data.intraOpNumThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Errors only: third-party exports often trigger harmless optimizer warnings; failures still reach the caller.
    logSeverityLevel: 3,
    // Idle intra-op threads busy-wait by default; with every CPU already given to workers that spinning steals
    // time from the caller's thread and from the other workers.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
}

function tokenize(model: Model, texts: readonly string[]): PackedSequences {
  const encoded = texts.map((text) => {
    if (typeof text !== 'string') throw new TypeError(`expected a string to embed, got ${typeof text}`);
    return model.encoder.encode(text);
  });
  const lengths = Int32Array.from(encoded, (ids) => ids.length);
  const ids = new Int32Array(lengths.reduce((a, b) => a + b, 0));
  let offset = 0;
  for (const seq of encoded) {
    ids.set(seq, offset);
    offset += seq.length;
  }
  return { ids, lengths };
}

function readOutput(tensor: Tensor): OutputTensor {
  const dims = tensor.dims;
  if (tensor.type === 'float32') return { data: tensor.data as Float32Array, dims };
  if (tensor.type === 'float16') return { data: float16BitsToFloat32(tensor.data as Uint16Array), dims };
  throw new Error(`output has element type ${tensor.type}; expected float32 or float16`);
}

/** Pads the batch to its longest sequence (never to maxTokens) and runs the session. */
async function runBatch(model: Model, { ids, lengths }: PackedSequences): Promise<OutputTensor> {
  const batch = lengths.length;
  // At least one position, so a batch of empty sequences still has a valid [batch, seq] shape.
  const seq = Math.max(1, ...lengths);
  const inputIds = new BigInt64Array(batch * seq).fill(BigInt(model.encoder.padId));
  const mask = new BigInt64Array(batch * seq);
  let offset = 0;
  for (let b = 0; b < batch; b++) {
    const length = lengths[b] ?? 0;
    for (let s = 0; s < length; s++) {
      inputIds[b * seq + s] = BigInt(ids[offset + s] ?? 0);
      mask[b * seq + s] = 1n;
    }
    offset += length;
  }
  const shape = [batch, seq];
  const feeds: Record<string, Tensor> = { input_ids: new Tensor('int64', inputIds, shape) };
  const inputs = model.session.inputNames;
  if (inputs.includes('attention_mask')) feeds.attention_mask = new Tensor('int64', mask, shape);
  // Single-sequence inputs are segment 0 throughout.
  if (inputs.includes('token_type_ids')) {
    feeds.token_type_ids = new Tensor('int64', new BigInt64Array(batch * seq), shape);
  }
  const results = await model.session.run(feeds, [model.outputName]);
  const output = results[model.outputName];
  if (!output) throw new Error(`the session returned no "${model.outputName}" output`);
  return readOutput(output);
}

async function infer(model: Model, packed: PackedSequences): Promise<InferResult> {
  return { vectors: poolOutput(await runBatch(model, packed), packed.lengths, data.pooling, data.normalize) };
}

/** Runs one text through the model, so shape problems surface at load time rather than on first use. */
async function probe(model: Model): Promise<ModelInfo> {
  const packed = tokenize(model, [PROBE_TEXT]);
  const output = await step(data.modelPath, () => runBatch(model, packed));
  await step(data.modelPath, () => poolOutput(output, packed.lengths, data.pooling, data.normalize));
  return {
    inputNames: model.session.inputNames,
    outputName: model.outputName,
    outputRank: output.dims.length,
    dimension: output.dims.at(-1) ?? 0,
  };
}

async function start(): Promise<void> {
  let model: Model;
  let info: ModelInfo;
  try {
    model = await openModel();
    info = await probe(model);
  } catch (error) {
    post({ type: 'init-failed', error: toWireError(error) });
    return;
  }

  port?.on('message', async ({ id, request }: WorkerTask<InferenceRequest>) => {
    try {
      if (request.kind === 'tokenize') {
        const result = tokenize(model, request.texts);
        post({ type: 'result', id, result }, [
          result.ids.buffer as ArrayBuffer,
          result.lengths.buffer as ArrayBuffer,
        ]);
      } else {
        const result = await infer(model, request);
        post(
          { type: 'result', id, result },
          result.vectors.map((v) => v.buffer as ArrayBuffer),
        );
      }
    } catch (error) {
      post({ type: 'error', id, error: toWireError(error) });
    }
  });
  post({ type: 'ready', info });
}

await start();
