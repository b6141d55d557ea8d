/** `veil models list|install|add`: what detectors are installed, and getting better ones. */
import { resolve } from 'node:path';
import { MODEL_DECODERS } from '../../daemon/protocol';
import { enumOption, parseCommandArgs } from '../args';
import { withDaemon } from '../daemonSession';
import { UsageError, type CliIO } from '../io';
import { progressPrinter } from '../progress';
import { formatTable } from '../table';
import { EXIT } from '../exitCodes';

const USAGE = `veil models list | veil models install <name> [--url URL] | veil models add <file.onnx> --decoder ${MODEL_DECODERS.join('|')} [--name NAME]`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseCommandArgs(rest, { url: { type: 'string' }, decoder: { type: 'string' }, name: { type: 'string' } }, USAGE);
  switch (verb) {
    case 'list':
      return withDaemon(io, async (client, init) => {
        const models = await client.request('models/list', {});
        io.result({ defaultModel: init.defaultModel, models });
        const rows = models.map((m) => [m.name + (m.name === init.defaultModel ? ' (default)' : ''), m.decoder, m.source, m.hashStatus, m.sha256.slice(0, 12), m.licence, m.path]);
        for (const line of formatTable(['model', 'decoder', 'source', 'hash', 'sha256', 'licence', 'file'], rows)) io.stdout(line);
        return models.some((m) => m.hashStatus === 'mismatch') ? EXIT.failed : EXIT.ok;
      });
    case 'install': {
      if (positionals.length !== 1) throw new UsageError(`expected a model name\nusage: ${USAGE}`);
      const model = await withDaemon(io, (client) =>
        client.request('models/install', { name: positionals[0], url: values.url }, { onProgress: progressPrinter(io, 'downloading') }),
      );
      io.result(model);
      io.stdout(`installed ${model.name} (${model.decoder}, sha256 ${model.sha256} verified) at ${model.path}`);
      return EXIT.ok;
    }
    case 'add': {
      if (positionals.length !== 1) throw new UsageError(`expected an ONNX file\nusage: ${USAGE}`);
      const decoder = enumOption(values.decoder, MODEL_DECODERS, 'decoder');
      if (!decoder) throw new UsageError(`--decoder is required: one of ${MODEL_DECODERS.join(', ')}\nusage: ${USAGE}`);
      const model = await withDaemon(io, (client) =>
        client.request('models/add', { file: resolve(io.cwd, positionals[0]), decoder, name: values.name }),
      );
      io.result(model);
      io.stdout(`added ${model.name} (${model.decoder}, sha256 ${model.sha256}) at ${model.path}`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown models command "${verb ?? ''}"\nusage: ${USAGE}`);
  }
}
