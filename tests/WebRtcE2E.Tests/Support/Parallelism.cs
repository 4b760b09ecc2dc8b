// The suites run side by side against the run's one FreeSWITCH: each test has its own phones, its own directory
// users (ScenarioPhones.UserFor), its own event socket and ledger (by Call-ID), and its own fixture instance, so
// nothing a test keeps is seen by another. Two at a time on 2 cores: more starve the media of some
// call; `dotnet test -- NUnit.NumberOfTestWorkers=1` runs them one after another.
[assembly: Parallelizable(ParallelScope.All)]
[assembly: FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
[assembly: LevelOfParallelism(2)]
