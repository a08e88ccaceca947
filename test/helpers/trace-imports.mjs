// Preloaded with --import: records every module the process resolves into IDPASS_TRACE_FILE.
import { register } from 'node:module';

register('./trace-hooks.mjs', import.meta.url, { data: { file: process.env.IDPASS_TRACE_FILE } });
