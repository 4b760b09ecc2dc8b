// webrtc-e2e: the harness's command line. Subcommands are added as the rooms they use land.
Console.Error.WriteLine("usage: webrtc-e2e <command> (no commands yet)");
return 2;
