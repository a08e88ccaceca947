// Imported first by UI tests: ink's chalk decides its colour level when it loads, and the test
// runner's stdout is not a terminal.
process.env.FORCE_COLOR = '1';
