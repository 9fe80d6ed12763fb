using Bunit;
using Loki.Learning.Web.Features.Metronome;
using Loki.Learning.Web.Features.Rooms;
using Loki.Learning.Web.Tests.Rooms;

namespace Loki.Learning.Web.Tests.Pages;

/// Tapping the tempo sets the room's tempo once the browser has heard enough taps to tell one (metronome.js answers
/// null for the first two); it does not stop at filling in the field.
[Collection(nameof(CatalogueCollection))]
public sealed class TapTempoTests(Catalogue catalogue) : PageContext(catalogue, "en")
{
    [Fact]
    public async Task TheThirdTapSetsTheRoomsTempoAndTheFirstTwoChangeNothing()
    {
        var (teacher, _, roomId) = await Catalogue.WithTeacherAndPupilAsync();
        await Catalogue.Mediator.Send(new OpenLiveRoom(teacher, roomId));
        var room = await Catalogue.Mediator.Send(new GetRoom(teacher, roomId));
        var before = await Catalogue.Mediator.Send(new GetBeat(teacher, roomId));
        var metronome = JSInterop.SetupModule("./js/metronome.js");
        metronome.Setup<MetronomePanel.ListenerChoice>("listener").SetResult(new MetronomePanel.ListenerChoice(1, false));
        var tapAnswer = metronome.Setup<double?>("tap");
        tapAnswer.SetResult(null);
        SignIn(teacher);

        var cut = Render<MetronomePanel>(parameters => parameters.Add(p => p.Room, new RoomPanelContext(roomId, teacher, true, room.View, room.Description)));
        cut.WaitForElement("button[aria-describedby='tap-hint']").Click();
        cut.Find("button[aria-describedby='tap-hint']").Click();
        var afterTwo = await Catalogue.Mediator.Send(new GetBeat(teacher, roomId));
        tapAnswer.SetResult(84.5);
        cut.Find("button[aria-describedby='tap-hint']").Click();
        var afterThree = await Catalogue.Mediator.Send(new GetBeat(teacher, roomId));
        for (var tries = 0; afterThree.Version == before.Version && tries < 100; tries++)
        {
            await Task.Delay(100);
            afterThree = await Catalogue.Mediator.Send(new GetBeat(teacher, roomId));
        }

        Assert.Equal(before.Version, afterTwo.Version);
        Assert.Equal(84.5, afterThree.Bpm);
        Assert.Equal("84.5", cut.Find("#tempo").GetAttribute("value"));
    }
}
