/** One crash round: start the admitting child, SIGKILL it after `after` admissions, check and recover. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { loadOrCreateIdentity } from '../../src/artifacts/index.ts'
import { openLibrary } from '../../src/library/index.ts'
import { createTrust } from '../../src/trust/index.ts'
import { checkTrustState } from '../../src/trust/integrity.ts'

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url))

export interface CrashRoundResult {
  admitted: number
  /** Artifacts found still quarantined right after the kill (admissions cut short). */
  interrupted: number
  problemsAfterKill: string[]
  problemsAfterRecovery: string[]
  quarantinedAfterRecovery: number
  recovered: number
}

export async function crashRound (home: string, seed: number, after: number): Promise<CrashRoundResult> {
  const child = spawn(process.execPath, [CHILD, home, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let admitted = 0
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  await new Promise<void>((resolve, reject) => {
    let buf = ''
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      admitted = buf.split('\n').length - 1
      if (admitted >= after) { child.kill('SIGKILL'); resolve() }
    })
    child.on('exit', code => { if (admitted < after) reject(new Error(`child exited (${code}) after ${admitted} admissions: ${stderr}`)) })
  })
  await new Promise(resolve => { if (child.exitCode != null || child.signalCode != null) resolve(null); else child.on('exit', resolve) })
  const identity = await loadOrCreateIdentity(home)
  const self = identity.peerId.toString()
  const library = openLibrary({ home })
  try {
    const problemsAfterKill = checkTrustState(library, self)
    const interrupted = library.list({ status: 'quarantined' }).length
    const trust = createTrust({ library, privateKey: identity.privateKey }, { policy: 'open' })
    const recovered = (await trust.recover()).length
    return {
      admitted,
      interrupted,
      problemsAfterKill,
      problemsAfterRecovery: checkTrustState(library, self),
      quarantinedAfterRecovery: library.list({ status: 'quarantined' }).length,
      recovered
    }
  } finally {
    library.close()
  }
}
