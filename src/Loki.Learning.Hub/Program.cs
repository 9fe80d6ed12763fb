Console.Error.WriteLine("usage: Loki.Learning.Hub serve|loadgen [options]");
return 2;
