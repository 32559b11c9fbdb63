// The built workspace packages the launcher uses, with a clear message when the
// build is missing (the npm scripts run scripts/ensure-built.mjs first).
let bus;
try {
  bus = await import('@perpcore/bus');
} catch (error) {
  process.stderr.write(`start-cluster: the packages are not built (${error.message}); run npm run build, or npm run start:cluster which builds first\n`);
  process.exit(2);
}
export const { KafkaBus, Topics, kafkaGroupId: kafkaGroupIdOf } = bus;
