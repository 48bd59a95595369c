using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/ECert.Benchmarks -- --filter '*Csr*' --job short
BenchmarkSwitcher.FromAssembly(typeof(ECert.Benchmarks.Fixtures).Assembly).Run(args);
