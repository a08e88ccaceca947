import { register } from 'node:module';

register('./lt-server-hooks.mjs', import.meta.url);
