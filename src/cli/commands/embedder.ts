/** `baobab embedder import <dir|file>`: an embedder model by sneakernet, verified like any blob. */
import { loadConfig, resolveHome, saveConfig } from '../config-file.ts'
import { action, emit, globalOptions } from '../context.ts'
import { importModel, transformersEmbedder } from '../../embedding/index.ts'
import type { Command } from 'commander'

export function register (program: Command): void {
  const em = program.command('embedder').description('embedder models: import a transformers (ONNX) model from a folder or USB stick')
  em.command('import <dir|file>')
    .description('copy a transformers model (config, tokenizer, onnx/ weights) into <home>/models/<cid>/, each file named by its CID, and use it')
    .option('--expect <cid>', 'the model CID the sender gave; on a mismatch nothing is stored')
    .option('--no-use', 'only import; leave config.json as it is')
    .option('--json', 'print JSON')
    .addHelpText('after', [
      '',
      'A model directory holds config.json, tokenizer.json (tokenizer_config.json, special_tokens_map.json)',
      'and onnx/model.onnx, onnx/model_fp16.onnx or onnx/model_quantized.onnx; pass one of those files to import only it.',
      'The printed CID names the whole model: give it to the next node so it can check its copy with --expect.',
      'Each time the embedder loads, every file is hashed again; a changed file stops the node with ModelFileChangedError.',
      '',
      'Examples:',
      '  baobab embedder import /media/usb/all-MiniLM-L6-v2',
      '  baobab embedder import /media/usb/all-MiniLM-L6-v2/onnx/model_quantized.onnx --expect bafkrei...'
    ].join('\n'))
    .action(action(async (source: string, opts: { expect?: string, use: boolean }, cmd: Command) => {
      const home = resolveHome(globalOptions(cmd).home)
      const model = await importModel(home, source, opts.expect == null ? {} : { expect: opts.expect })
      // loads the copy as the node will: re-verified, config and weights present
      const embedder = transformersEmbedder({ modelPath: model.dir })
      const setting = { kind: 'transformers' as const, model: model.dir }
      if (opts.use) {
        const config = loadConfig(home)
        config.embedder = setting
        saveConfig(home, config)
      }
      const bytes = model.manifest.files.reduce((n, f) => n + f.bytes, 0)
      const { cid, dir, present, manifest: { name, files } } = model
      emit(cmd, { cid, name, dir, present, files, dims: embedder.dims, embedderId: embedder.id, embedder: setting, configUpdated: opts.use }, () => {
        console.log(`${model.present ? 'already imported' : 'imported'} ${model.manifest.name}: ${model.manifest.files.length} files, ${(bytes / 1e6).toFixed(1)} MB, ${embedder.dims} dims`)
        console.log(`model ${model.cid}`)
        for (const f of model.manifest.files) console.log(`  ${f.cid}  ${f.path}`)
        console.log(`${opts.use ? 'config.json now has' : 'to use it, set in config.json'} "embedder": ${JSON.stringify(setting)}`)
      })
    }))
}
