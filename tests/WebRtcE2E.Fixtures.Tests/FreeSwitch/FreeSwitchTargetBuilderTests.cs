using WebRtcE2E.Fixtures.FreeSwitch;

namespace WebRtcE2E.Fixtures.Tests.FreeSwitch;

/// <summary>
/// The builder gives immutable settings or says which setting is missing, before anything is started. None of
/// these tests reads the environment for what it asserts, so a run's own configuration cannot change them.
/// </summary>
[Category("Unit")]
public sealed class FreeSwitchTargetBuilderTests
{
    [Test]
    public void External_host_without_its_event_socket_password_names_that_setting()
    {
        var builder = new FreeSwitchTargetBuilder().WithExternalHost("fs.example.test");

        var failure = builder.Invoking(b => b.Build()).Should().Throw<FreeSwitchSettingsException>().Which;

        failure.Setting.Should().Be(FreeSwitchSettings.EventSocketPasswordVariable);
        failure.Message.Should().Contain(FreeSwitchSettings.EventSocketPasswordVariable).And.Contain("fs.example.test");
        failure.Should().BeAssignableTo<FreeSwitchTargetException>("a configured target that cannot start is a failure, not a skip");
    }

    [Test]
    public void External_host_without_the_users_password_names_that_setting()
    {
        var builder = new FreeSwitchTargetBuilder().WithExternalHost("fs.example.test", eventSocketPassword: "esl-secret");

        var failure = builder.Invoking(b => b.Build()).Should().Throw<FreeSwitchSettingsException>().Which;

        failure.Setting.Should().Be(FreeSwitchSettings.UserPasswordVariable);
        failure.Message.Should().Contain(FreeSwitchSettings.UserPasswordVariable).And.Contain("1000-1019");
    }

    [TestCase(0)]
    [TestCase(-5)]
    [TestCase(3601)]
    public void Ready_timeout_outside_0_to_3600_s_names_that_setting(double seconds)
    {
        var builder = new FreeSwitchTargetBuilder().WithBinary("/opt/fs/bin/freeswitch").WithReadyTimeout(TimeSpan.FromSeconds(seconds));

        var failure = builder.Invoking(b => b.Build()).Should().Throw<FreeSwitchSettingsException>().Which;

        failure.Setting.Should().Be(FreeSwitchSettings.ReadyTimeoutVariable);
        failure.Message.Should().Contain(FreeSwitchSettings.ReadyTimeoutVariable).And.Contain("between 0 and 3600 s");
    }

    [Test]
    public void Options_that_would_probe_without_pause_name_the_option()
    {
        var builder = new FreeSwitchTargetBuilder().WithOptions(new FreeSwitchOptions { ReadyPollInterval = TimeSpan.Zero });

        builder.Invoking(b => b.Build()).Should().Throw<FreeSwitchSettingsException>()
            .Which.Setting.Should().Be(nameof(FreeSwitchOptions.ReadyPollInterval));
    }

    [Test]
    public void Empty_image_binary_or_host_is_refused_where_it_is_given()
    {
        var builder = new FreeSwitchTargetBuilder();

        builder.Invoking(b => b.WithImage(" ")).Should().Throw<ArgumentException>().WithParameterName("image");
        builder.Invoking(b => b.WithBinary("")).Should().Throw<ArgumentException>().WithParameterName("binary");
        builder.Invoking(b => b.WithExternalHost("")).Should().Throw<ArgumentException>().WithParameterName("host");
    }

    [Test]
    public void A_binary_with_its_modules_and_timeout_builds_those_settings()
    {
        var settings = new FreeSwitchTargetBuilder()
            .WithBinary("/opt/fs/bin/freeswitch", "/opt/fs/mod")
            .WithReadyTimeout(TimeSpan.FromSeconds(20))
            .Build();

        settings.Should().Be(new FreeSwitchSettings
        {
            Binary = "/opt/fs/bin/freeswitch",
            ModulesDirectory = "/opt/fs/mod",
            Options = new FreeSwitchOptions { ReadyTimeout = TimeSpan.FromSeconds(20) },
        });
        settings.Kind.Should().Be(TargetKind.Process);
    }

    [Test]
    public void Each_with_returns_a_new_builder_and_leaves_the_first_as_it_was()
    {
        var nothing = new FreeSwitchTargetBuilder();

        var image = nothing.WithImage("example/freeswitch:1", "/usr/local/freeswitch/bin/freeswitch");

        nothing.Build().Kind.Should().BeNull("nothing is configured: the default image decides at start");
        image.Build().Should().Be(new FreeSwitchSettings { Image = "example/freeswitch:1", ImageBinary = "/usr/local/freeswitch/bin/freeswitch" });
    }

    [Test]
    public void The_kind_chosen_last_replaces_the_one_before()
    {
        var external = new FreeSwitchTargetBuilder().WithBinary("/opt/fs/bin/freeswitch").WithImage("example/freeswitch:1")
            .WithExternalHost("fs.example.test", "esl-secret", "user-secret", 8022).Build();

        external.Kind.Should().Be(TargetKind.External);
        external.Image.Should().BeNull();
        external.Binary.Should().BeNull();
        external.ExternalEventSocketPort.Should().Be(8022);
        new FreeSwitchTargetBuilder().WithImage("example/freeswitch:1").WithBinary("/opt/fs/bin/freeswitch").Build().Kind
            .Should().Be(TargetKind.Process, "unlike the environment, where an image wins, the builder does what it was told last");
    }

    [Test]
    public void A_host_given_in_code_keeps_the_passwords_the_run_configures()
    {
        var run = new Dictionary<string, string>
        {
            [FreeSwitchSettings.EventSocketPasswordVariable] = "esl-from-run",
            [FreeSwitchSettings.UserPasswordVariable] = "user-from-run",
        };

        var settings = FreeSwitchTargetBuilder.FromEnvironment(run.GetValueOrDefault).WithExternalHost("fs.example.test").Build();

        settings.ExternalHost.Should().Be("fs.example.test");
        settings.ExternalEventSocketPassword.Should().Be("esl-from-run");
        settings.ExternalUserPassword.Should().Be("user-from-run");
    }

    [Test]
    public async Task Starting_settings_that_cannot_start_fails_before_anything_is_started()
    {
        var act = () => new FreeSwitchTargetBuilder().WithExternalHost("fs.example.test").StartAsync();

        (await act.Should().ThrowAsync<FreeSwitchSettingsException>())
            .Which.Setting.Should().Be(FreeSwitchSettings.EventSocketPasswordVariable);
    }
}
