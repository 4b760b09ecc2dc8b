// The suites are written to run side by side against the run's one FreeSWITCH: each test has its own phones, its
// own directory users (ScenarioPhones.UserFor), its own event socket and ledger (by Call-ID), and its own fixture
// instance, so nothing a test keeps is seen by another. They run one at a time by default all the same: with
// several wss connections opening and closing at once, FreeSWITCH 1.10.12's sofia-sip writes a closed wss
// connection's TLS bytes into whatever connection reused its file descriptor (an event socket, another browser's
// WebSocket: freeswitch/sofia-sip#131), and 2 cores starve the media of some call beyond two at a time.
// `dotnet test … -- NUnit.NumberOfTestWorkers=2` runs them two at a time (about 1.6x faster here).
[assembly: Parallelizable(ParallelScope.All)]
[assembly: FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
[assembly: LevelOfParallelism(1)]
