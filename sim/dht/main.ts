/**
 * `node sim/dht/main.ts [--quick] [--sizes 1000,10000,100000] [--prefix-length 6] [--offline 0,0.1,0.3] [--out file.json]`: the DHT part of
 * the scale simulator on its own, printing one line per network size and offline share.
 */
import { writeFileSync } from 'node:fs'
import { formatRow, runDhtSim } from './index.ts'

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const quick = process.argv.includes('--quick')
const sizes = (arg('--sizes') ?? (quick ? '1000,10000' : '1000,10000,100000')).split(',').map(Number)
const started = Date.now()
const prefixLength = arg('--prefix-length') != null ? Number(arg('--prefix-length')) : undefined
const offline = arg('--offline')?.split(',').map(Number)
const result = await runDhtSim({ sizes, quick, prefixLength, ...(offline != null ? { offline } : {}), onRow: r => { console.log(formatRow(r)) } })
console.log(`kad-dht ${result.kadDht}: k=${result.k}, α=${result.alpha}, disjoint paths=${result.disjointPaths}, prefix bits=${result.prefixLength}; ${((Date.now() - started) / 1000).toFixed(0)} s`)
const out = arg('--out')
if (out != null) writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2) + '\n')
