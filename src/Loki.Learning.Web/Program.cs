using Loki.Learning.Web.Hosting;

// `certificate …` and `admin create …` run a command and exit; anything else starts the node.
return await LokiCommands.RunAsync(args, async nodeArgs =>
{
    var app = LokiHost.Build(nodeArgs);
    await app.PrepareDatabaseAsync();
    app.PrintWelcomeOnStart();
    await app.RunAsync();
});

public partial class Program;
