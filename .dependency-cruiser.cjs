// The boundaries of DESIGN.md ("Boundaries"), checked on every import by dependency-cruiser.
// test/unit/boundaries.test.ts runs it on the repository (part of `npm test`) and proves each rule fires.
// Which process each folder runs in: extension/ (extension host), webview/ (browser), client/ (the daemon client,
// in the extension host and the CLI), cli/ (the `veil` process), daemon/ (the daemon process).
// The contract files of the daemon boundary, imported by both sides: daemon/protocol.ts and its NDJSON framing.

/** Shipped code: what ends up in dist/ (tests, benchmarks and scripts are not shipped). */
const SHIPPED = '^(extension|webview|client|cli|daemon)/';
/** The domain modules of the daemon: below the RPC server, never importing it. */
const DOMAIN = '^daemon/(audit|commit|core|services|vault|verify|review|redact|detection|image|dataset|storage|models|report|backup)/';
/** An npm package, resolved into node_modules or left unresolved by name. */
const npm = (names) => `(^|/)node_modules/(@types/)?(${names})/|^(${names})$`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'vscode-only-in-extension',
      severity: 'error',
      comment: 'Only extension/ (and the tests that drive the real VS Code, test/vscode/) may import vscode.',
      from: { pathNot: '^(extension|test/vscode)/' },
      to: { path: npm('vscode') },
    },
    {
      name: 'native-only-in-daemon',
      severity: 'error',
      comment: 'The native modules run in the daemon only: a native crash must never take the extension host or the CLI down.',
      from: { path: SHIPPED, pathNot: '^daemon/' },
      to: { path: npm('onnxruntime-node|sharp') },
    },
    {
      name: 'webview-only-webview-and-contract',
      severity: 'error',
      comment:
        'webview/ runs in a browser: it imports itself, the contract file daemon/protocol.ts, the rule of an image\'s row (daemon/review/rows.ts) and the pure track rules a video review shares with the daemon (where a track is at a frame, the track edits, the queue of uncertain stretches), nothing else.',
      from: { path: '^webview/' },
      to: { pathNot: '^webview/|^daemon/protocol\\.ts$|^daemon/review/rows\\.ts$|^daemon/video/(trackGeometry|trackEdits|uncertainStretches)\\.ts$' },
    },
    {
      name: 'track-rules-run-in-a-browser',
      severity: 'error',
      comment: 'The row and track rules the review webview imports run in a browser too: they import the contract, its error class and each other, nothing else.',
      from: { path: '^daemon/review/rows\\.ts$|^daemon/video/(trackGeometry|trackEdits|uncertainStretches|trackTiming)\\.ts$' },
      to: { pathNot: '^daemon/(protocol|errors)\\.ts$|^daemon/video/(trackGeometry|trackTiming)\\.ts$' },
    },
    {
      name: 'daemon-not-into-its-clients',
      severity: 'error',
      comment: 'The daemon never imports the code of its clients or of the browser.',
      from: { path: '^daemon/' },
      to: { path: '^(extension|client|cli|webview)/' },
    },
    {
      name: 'client-only-contract',
      severity: 'error',
      comment: 'client/ runs in the extension host and the CLI: itself, the contract (protocol + NDJSON framing), json-rpc-2.0 and Node built-ins.',
      from: { path: '^client/' },
      to: { dependencyTypesNot: ['core'], pathNot: `^client/|^daemon/(protocol|ndjson)\\.ts$|${npm('json-rpc-2\\.0')}` },
    },
    {
      name: 'cli-only-client-and-contract',
      severity: 'error',
      comment: 'cli/ is a client of the daemon like the extension: itself, client/, daemon/protocol.ts and Node built-ins; the work happens in the daemon.',
      from: { path: '^cli/' },
      to: { dependencyTypesNot: ['core'], pathNot: '^(cli|client)/|^daemon/protocol\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import circle in shipped code (type-only imports count).',
      from: { path: SHIPPED },
      to: { circular: true },
    },
    {
      name: 'domain-not-into-server',
      severity: 'error',
      comment: 'Domain modules sit below the RPC server: they never import daemon/rpc/, daemon/handlers.ts or daemon/main.ts.',
      from: { path: DOMAIN },
      to: { path: '^daemon/(rpc/|handlers\\.ts$|main\\.ts$)' },
    },
    {
      name: 'building-blocks-not-into-workflows',
      severity: 'error',
      comment:
        'The building blocks (core, storage, image, dataset, detection, models, redact, review, audit, vault) never import the workflows built on them (commit, services, verify, backup): what both need lives in the lower module (e.g. daemon/core/phaseTimes.ts).',
      from: { path: '^daemon/(core|storage|image|dataset|detection|models|redact|review|audit|vault)/' },
      to: { path: '^daemon/(commit|services|verify|backup)/' },
    },
    {
      name: 'shipped-imports-resolve',
      severity: 'error',
      comment: 'Every import of shipped code resolves (an unresolved one would slip past the rules above); vscode is provided by the host.',
      from: { path: SHIPPED },
      to: { couldNotResolve: true, pathNot: '^vscode$' },
    },
  ],
  options: {
    exclude: { path: '^(dist|out|test-results)/' },
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: they are edges of the source tree even when erased from the bundle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
      extensions: ['.ts', '.mjs', '.js', '.cjs', '.json', '.d.ts'],
    },
  },
};
