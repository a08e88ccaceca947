/**
 * The CommonJS entry: `require('idpass')` gets the same module as `import`. idpass is written as
 * ES modules; Node loads one from `require()` itself (20.19 and later, 22.12 and later), so this
 * file only hands it over, and says what to do on a Node too old for that.
 */

function load(): unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- this file is the CommonJS entry: require is what it is for
    return require('./index.js');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_REQUIRE_ESM')
      throw new Error(
        `require('idpass') needs Node 20.19 or later (this is ${process.versions.node}): upgrade Node, or use import('idpass')`,
        { cause: error },
      );
    throw error;
  }
}

module.exports = load();
