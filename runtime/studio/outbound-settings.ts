// The studio settings the Settings and Workloads views show from .wash/studio.yaml (outbound
// HTTP and the components' environment), and the one change they make: offline mode and the
// stand-ins, written into the file (keeping the rest of it, comments included) once they are
// known to be valid. The session's watcher then applies the file to the running version, as
// it does a hand edit. Reads and writes files; knows nothing of transports.
import { dirname } from 'node:path';
import { fail, ok, type Result, type StudioError } from '../errors.ts';
import { invalidSettings } from '../project/config-file.ts';
import { validateWith } from '../project/config-schema.ts';
import { environmentFrom, loadStudioSettings, saveStudioSettingAt, studioSettingsPath, studioSettingsSchema, type StudioSettings } from '../project/studio-settings.ts';
import { outboundConfigFrom } from '../network/outbound-service.ts';
import type { SessionDescription } from '../session/dev-session.ts';
import type { OutboundView, StandInView } from './api.ts';

/** Where a session's studio settings live: the project root, or the folder of a .wasm file. */
export function settingsBaseOf(described: SessionDescription): { base: string; editable: boolean } {
  return described.kind === 'project' ? { base: described.path, editable: true } : { base: dirname(described.path), editable: false };
}

const EMPTY: OutboundView = { editable: false, offline: false, caFiles: [], standIns: [] };

function toApiError(error: StudioError): OutboundView['problem'] {
  return error.hint === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, hint: error.hint };
}

function viewOf(settings: StudioSettings, path: string, editable: boolean): OutboundView {
  const outbound = settings.outbound ?? {};
  return {
    settingsPath: path,
    editable,
    offline: outbound.offline === true,
    caFiles: outbound.ca_files ?? [],
    standIns: (outbound.stand_ins ?? []).map(({ headers, ...rule }) => ({
      ...rule,
      // The file may hold numbers (content-length: 12); the view shows text.
      ...(headers ? { headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)])) } : {}),
    })),
  };
}

/** The outbound settings and the environment in the file as it is now. */
export async function studioSettingsView(described: SessionDescription | undefined): Promise<{ outbound: OutboundView; environment: [string, string][] }> {
  if (!described) return { outbound: EMPTY, environment: [] };
  const { base, editable } = settingsBaseOf(described);
  const loaded = await loadStudioSettings(base);
  const path = studioSettingsPath(base);
  if (!loaded.ok) return { outbound: { ...EMPTY, settingsPath: path, editable, problem: toApiError(loaded.error) }, environment: [] };
  return { outbound: viewOf(loaded.value.settings, path, editable), environment: environmentFrom(loaded.value.settings) };
}

/** A stand-in as the file should hold it: the keys that are set, no empty strings. */
function cleaned(rule: StandInView): StandInView {
  const out: StandInView = { match: rule.match.trim() };
  if (rule.status !== undefined) out.status = rule.status;
  if (rule.headers && Object.keys(rule.headers).length > 0) out.headers = rule.headers;
  if (rule.body !== undefined) out.body = rule.body;
  if (rule.body_file) out.body_file = rule.body_file;
  if (rule.forward) out.forward = rule.forward;
  return out;
}

/**
 * Sets offline mode and/or the stand-ins of a project, refusing what the studio could not
 * apply (a wrong key, a body_file that is not there) before anything is written.
 */
export async function setOutbound(described: SessionDescription | undefined, change: { offline?: boolean; standIns?: StandInView[] }): Promise<Result<OutboundView>> {
  if (!described) return fail('no-project', 'No project is open.', 'Open a project folder first.');
  const { base, editable } = settingsBaseOf(described);
  if (!editable) {
    return fail('settings-read-only', `A .wasm file served as it is keeps its outbound settings in ${studioSettingsPath(base)}, which the studio reads at its next reload.`, 'Edit that file by hand, then rebuild (r + Enter), or open a project.');
  }
  const loaded = await loadStudioSettings(base);
  if (!loaded.ok) return loaded;
  const current = loaded.value.settings;
  const outbound = {
    ...current.outbound,
    ...(change.offline !== undefined ? { offline: change.offline } : {}),
    ...(change.standIns ? { stand_ins: change.standIns.map(cleaned) } : {}),
  };
  const checked = validateWith(studioSettingsSchema, { ...current, outbound });
  if (!checked.value) {
    // Named as the table in Settings numbers its rows (from 1), not by the file's key path (from 0).
    const problems = checked.errors.map((e) => ({ ...e, path: e.path.replace(/^outbound\.stand_ins\[(\d+)\]\.?/, (_, i: string) => `row ${Number(i) + 1}${e.path.endsWith(']') ? '' : ', '}`) }));
    return { ok: false, error: invalidSettings('studio-settings-invalid', 'The stand-in table', problems, 'Fix the rows named above; docs/projects.md (outbound) describes each column.') };
  }
  const usable = outboundConfigFrom(outbound, base);
  if (!usable.ok) return usable;
  for (const [key, value] of [
    ['stand_ins', change.standIns ? outbound.stand_ins : undefined],
    ['offline', change.offline],
  ] as const) {
    if (value === undefined) continue;
    const saved = await saveStudioSettingAt(base, ['outbound', key], value);
    if (!saved.ok) return saved;
  }
  return ok(viewOf({ ...current, outbound }, studioSettingsPath(base), true));
}
