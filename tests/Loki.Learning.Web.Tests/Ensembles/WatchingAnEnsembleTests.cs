using System.Threading.Channels;
using Loki.Learning.Web.Features.Ensembles;
using Loki.Learning.Web.Features.People;

namespace Loki.Learning.Web.Tests.Ensembles;

/// A teacher's page hears of every change the ensemble's grain makes: the watcher lives in the cluster client and the
/// grain in the silo, so each signal crosses between nodes as it does between two servers of a cluster.
[Collection(nameof(CatalogueCollection))]
public sealed class WatchingAnEnsembleTests(Catalogue catalogue)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AWatcherHearsOfARequestADecisionANewCodeAndARevocation()
    {
        var teacher = await catalogue.PersonAsync(Roles.Teacher);
        var ensembleId = await catalogue.Mediator.Send(new CreateEnsemble(teacher, "Harps " + Guid.NewGuid().ToString("N")[..6], null, "Europe/Stockholm", null));
        var code = await catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, await catalogue.SchoolAsync()));
        var signals = Channel.CreateUnbounded<int>();
        await using var watcher = await EnsembleWatcher.StartAsync(catalogue.Cluster.Client, ensembleId, async () =>
        {
            // What the page does on a signal: read the ensemble again.
            var details = await catalogue.Mediator.Send(new GetEnsemble(teacher, ensembleId));
            await signals.Writer.WriteAsync(details.PendingRequests.Count);
        });

        var receipt = await catalogue.Mediator.Send(new RequestToJoinEnsemble(code.Code, "Ida", null, false));
        Assert.Equal(1, await NextAsync(signals.Reader, count => count == 1));

        await catalogue.Mediator.Send(new DecideJoinRequest(teacher, ensembleId, receipt.RequestId, Approve: false));
        Assert.Equal(0, await NextAsync(signals.Reader, count => count == 0));

        var second = await catalogue.Mediator.Send(new IssueClassCode(teacher, ensembleId, await catalogue.SchoolAsync()));
        await NextAsync(signals.Reader, _ => true);
        await catalogue.Mediator.Send(new RevokeClassCode(teacher, ensembleId, second.Code));
        await NextAsync(signals.Reader, _ => true);
    }

    private static async Task<int> NextAsync(ChannelReader<int> reader, Func<int, bool> until)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var count = await reader.ReadAsync(timeout.Token);
            if (until(count))
            {
                return count;
            }
        }
    }
}
