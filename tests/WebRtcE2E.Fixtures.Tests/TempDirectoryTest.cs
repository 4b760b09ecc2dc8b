namespace WebRtcE2E.Fixtures.Tests;

/// <summary>A test class whose every test gets a fresh, empty temporary folder (<see cref="Dir"/>), deleted after it.</summary>
public abstract class TempDirectoryTest
{
    /// <summary>This test's folder.</summary>
    protected string Dir { get; private set; } = null!;

    /// <summary>Creates the folder, named after the test class so that a leftover says whose it is.</summary>
    [SetUp]
    public void CreateTempDirectory() => Dir = Directory.CreateTempSubdirectory($"webrtc-e2e-{GetType().Name}-").FullName;

    /// <summary>Deletes the folder and everything the test wrote in it.</summary>
    [TearDown]
    public void DeleteTempDirectory() => Directory.Delete(Dir, recursive: true);
}
