using Loki.Learning.Hub;

return await HubCommands.RunAsync(args);
