// The command-line flags of the scripts: `--name value`, integers checked (a bad one exits 2 naming the flag).
export function scriptFlags(script, args) {
  const flag = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const int = (name, fallback, min = 0) => {
    const v = Number(flag(name, String(fallback)));
    if (!Number.isSafeInteger(v) || v < min) {
      process.stderr.write(`${script}: --${name} must be an integer ≥ ${min}\n`);
      process.exit(2);
    }
    return v;
  };
  return { flag, int };
}
