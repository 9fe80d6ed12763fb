using Loki.Learning.Web.Features;
using Loki.Learning.Web.Features.People;
using Loki.Learning.Web.Features.Workshops;
using Microsoft.EntityFrameworkCore;
using SkiaSharp;

namespace Loki.Learning.Web.Tests.Workshops;

/// An event's picture: checked by its content, scaled down on the server, stored, and served; anything that is not a
/// whole, sensibly sized picture is refused with the reason and stores nothing.
[Collection(nameof(CatalogueCollection))]
public sealed class EventImageTests(Catalogue catalogue)
{
    private async Task<(int Images, string? Path, string? Alt)> StoredAsync(Guid eventId)
    {
        await using var db = await catalogue.Db.CreateDbContextAsync();
        var workshop = await db.Workshops.SingleAsync(w => w.Id == eventId);
        return (await db.Set<WorkshopImage>().CountAsync(i => i.WorkshopId == eventId), workshop.ImagePath, workshop.ImageAlt);
    }

    [Fact]
    public async Task ALargePhotoIsScaledTo1200PixelsWideStoredAndShownWithItsDescription()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, audience: 10);

        var path = await catalogue.Mediator.Send(new SetWorkshopImage(organizer, eventId, TestPictures.Gradient(3000, 1500), "Five fiddlers on a stage"));

        var details = await catalogue.Mediator.Send(new GetWorkshop(null, eventId));
        Assert.Equal(path, details.ImagePath);
        Assert.Equal("Five fiddlers on a stage", details.ImageAlt);
        var file = await catalogue.Mediator.Send(new GetWorkshopImage(null, eventId, Guid.Parse(path.Split('/')[^1][..32])));
        Assert.Equal("image/webp", file.ContentType);
        using var served = SKCodec.Create(SKData.CreateCopy(file.Content));
        Assert.Equal(SKEncodedImageFormat.Webp, served.EncodedFormat);
        Assert.Equal(new SKSizeI(1200, 600), served.Info.Size);
    }

    [Fact]
    public async Task ANewPictureReplacesTheOldOneAndRemovingItLeavesNone()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, audience: 10);
        var first = await catalogue.Mediator.Send(new SetWorkshopImage(organizer, eventId, TestPictures.Png(400, 300), "The hall from the back"));

        var second = await catalogue.Mediator.Send(new SetWorkshopImage(organizer, eventId, TestPictures.Png(300, 400, seed: 9), "The organ loft"));

        Assert.NotEqual(first, second);
        Assert.Equal((1, second, "The organ loft"), await StoredAsync(eventId));
        await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new GetWorkshopImage(null, eventId, Guid.Parse(first.Split('/')[^1][..32]))).AsTask());

        await catalogue.Mediator.Send(new RemoveWorkshopImage(organizer, eventId));

        Assert.Equal((0, null, null), await StoredAsync(eventId));
    }

    public static TheoryData<string, string> Garbage => new()
    {
        { "text", "Events.Image.NotAnImage" },
        { "truncated", "Events.Image.Damaged" },
        { "bomb", "Events.Image.TooManyPixels" },
        { "wide", "Events.Image.TooManyPixels" },
        { "empty", "Events.Image.Empty" },
        { "tiny", "Events.Image.TooSmall" },
        { "prefix", "Events.Image.NotAnImage" },
    };

    private static byte[] Upload(string kind)
    {
        var png = TestPictures.Png(400, 300);
        return kind switch
        {
            // A text file someone named poster.png: the name is never looked at.
            "text" => TestPictures.TextNamedPng(),
            // Cut off halfway through its picture data: the header is fine, the pixels are not all there.
            "truncated" => png[..(png.Length / 2)],
            "bomb" => TestPictures.Bomb(),
            "wide" => TestPictures.Bomb(width: 9000, height: 10),
            "empty" => [],
            "tiny" => TestPictures.Png(4, 4),
            // The PNG signature alone, then nothing.
            "prefix" => png[..8],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task AnUploadThatIsNotAWholeSensiblySizedPictureIsRefusedAndNothingIsStored(string kind, string reason)
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, audience: 10);
        var before = await catalogue.Mediator.Send(new SetWorkshopImage(organizer, eventId, TestPictures.Png(200, 100), "The poster"));

        var refusal = await Assert.ThrowsAsync<Refusal>(() =>
            catalogue.Mediator.Send(new SetWorkshopImage(organizer, eventId, Upload(kind), "A picture")).AsTask());

        Assert.Equal(reason, refusal.ReasonKey);
        Assert.Equal("Image", refusal.Field);
        // The picture from before is still the event's, and it is the only one stored.
        Assert.Equal((1, before, "The poster"), await StoredAsync(eventId));
    }

    [Fact]
    public void RandomBytesNeverGetPastTheCheck()
    {
        var random = new Random(2026);
        var png = TestPictures.Png(64, 48);
        for (var i = 0; i < 200; i++)
        {
            // Noise, and a real PNG with bytes flipped after its signature.
            var noise = new byte[random.Next(1, 4096)];
            random.NextBytes(noise);
            var flipped = (byte[])png.Clone();
            for (var k = 0; k < 8; k++)
            {
                flipped[random.Next(8, flipped.Length)] ^= (byte)random.Next(1, 256);
            }
            foreach (var upload in new[] { noise, flipped })
            {
                try
                {
                    var image = EventImages.Check(upload);
                    // Whatever passes is a picture the site made itself, within bounds.
                    Assert.InRange(image.Width, 1, EventImages.MaxWidth);
                    using var codec = SKCodec.Create(SKData.CreateCopy(image.Content));
                    Assert.Equal(SKEncodedImageFormat.Webp, codec.EncodedFormat);
                }
                catch (Refusal refusal)
                {
                    Assert.StartsWith("Events.Image.", refusal.ReasonKey, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public async Task APictureNeedsADescription()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, audience: 10);

        var invalid = await Assert.ThrowsAsync<InvalidInput>(() =>
            catalogue.Mediator.Send(new SetWorkshopImage(organizer, eventId, TestPictures.Png(200, 100), "")).AsTask());

        Assert.Equal(["Events.Image.AltRequired"], invalid.Errors["Alt"]);
        Assert.Equal(0, (await StoredAsync(eventId)).Images);
    }

    [Fact]
    public async Task AnotherOrganizerOrARegistrantCannotChangeOrRemoveTheEventsPicture()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, audience: 10);
        var path = await catalogue.Mediator.Send(new SetWorkshopImage(organizer, eventId, TestPictures.Png(200, 100), "The poster"));
        var otherOrganizer = await catalogue.PersonAsync(Roles.Organizer);
        var registrant = await catalogue.PersonAsync(Roles.Student);
        await catalogue.Mediator.Send(Events.Visitor(eventId, TicketCategory.Audience) with { Actor = registrant });

        foreach (var stranger in new[] { otherOrganizer, registrant })
        {
            var replaced = await Assert.ThrowsAsync<Refusal>(() =>
                catalogue.Mediator.Send(new SetWorkshopImage(stranger, eventId, TestPictures.Png(200, 100, seed: 3), "Something else")).AsTask());
            var removed = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new RemoveWorkshopImage(stranger, eventId)).AsTask());
            Assert.Equal("Refusal.NotYourEvent", replaced.ReasonKey);
            Assert.Equal("Refusal.NotYourEvent", removed.ReasonKey);
        }
        Assert.Equal((1, path, "The poster"), await StoredAsync(eventId));
    }

    [Fact]
    public async Task ADraftsPictureIsNotPublic()
    {
        var (organizer, eventId) = await Events.PublishedAsync(catalogue, audience: 10, publish: false);
        var path = await catalogue.Mediator.Send(new SetWorkshopImage(organizer, eventId, TestPictures.Png(200, 100), "The poster"));
        var imageId = Guid.Parse(path.Split('/')[^1][..32]);

        var refusal = await Assert.ThrowsAsync<Refusal>(() => catalogue.Mediator.Send(new GetWorkshopImage(null, eventId, imageId)).AsTask());

        Assert.Equal(RefusalKind.NotFound, refusal.Kind);
        Assert.False((await catalogue.Mediator.Send(new GetWorkshopImage(organizer, eventId, imageId))).Public);
    }
}
