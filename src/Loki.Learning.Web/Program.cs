using Loki.Learning.Web.Hosting;

var app = LokiHost.Build(args);
await app.PrepareDatabaseAsync();
app.PrintWelcomeOnStart();
await app.RunAsync();

public partial class Program;
