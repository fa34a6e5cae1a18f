"""The rule families added with the third to fifth training sets (issue 15), in both languages.

Each row is the project's own example of a family, not a draft from any labelled set: invitations
to reply phrased as requests, comments mentioned rather than asked for, codes and links that
earn for another party, sources named as awards or ratings, and superlatives denied.
"""

from __future__ import annotations

import pytest

from bot.core.router import Coach


def flags(coach: Coach, draft: str, lang: str) -> set[str]:
    return set(coach.reviewing.by_rules(draft, None, lang).flags)  # type: ignore[arg-type]


INVITES = [
    # (draft, lang): no question mark, and still an invitation to reply
    ("Nye luer i butikken. Si gjerne hvilken farge du vil ha mer av.", "nb"),
    ("Vi har åpent til 20 i dag. Lurer du på noe, er det bare å spørre.", "nb"),
    ("Vi har apent til 20 i dag. Lurer du pa noe, er det bare a sporre.", "nb"),
    ("Ny nettside er oppe. Finner du feil, kan du skrive til oss her.", "nb"),
    ("Ny nettside er oppe. Ser du feil, skriv dem her.", "nb"),
    ("VI HAR ÅPENT I ROMJULA. SPOR OSS OM DU LURER PÅ NOE.", "nb"),
    ("New menu from Monday. Keep telling us what you miss.", "en"),
    ("Dogs are welcome on the terrace. Any questions, just ask the staff.", "en"),
    ("Our updates are here now. Follow us, and reply if you want more bus news.", "en"),
    # an offer to answer or to hear more; in a reply, a request to get in touch
    ("Nye åpningstider fra mandag. Lurer du på noe, svarer vi gjerne her.", "nb"),
    ("Har du en idé til vintermenyen, vil vi gjerne høre den.", "nb"),
    ("@kari_n Så leit at genseren krympet! Send oss ordrenummeret, så ordner vi det.", "nb"),
    ("@tom_b Sorry about the wait. Call us on 555 0101 and we'll sort it out today.", "en"),
]


@pytest.mark.parametrize(("draft", "lang"), INVITES)
def test_an_invitation_phrased_as_a_request_is_dialogue(
    coach: Coach, draft: str, lang: str
) -> None:
    assert "no_dialogue" not in flags(coach, draft, lang)


MENTIONS = [
    # comments and replies talked about, not asked for
    ("Noen i kommentarfeltet mener kaffen er for sterk. Vi lager den slik vi liker den.", "nb"),
    ("We read every comment last week. The new opening hours start on Monday.", "en"),
    ("Our office is closed over Easter. We will reply to messages on Tuesday.", "en"),
    # outside a reply, a request to call is a next step, not an invitation to talk
    ("Nytt langbord til tolv personer. Ring oss for å bestille.", "nb"),
]


@pytest.mark.parametrize(("draft", "lang"), MENTIONS)
def test_a_comment_mentioned_is_no_invitation(coach: Coach, draft: str, lang: str) -> None:
    assert "no_dialogue" in flags(coach, draft, lang)


NEXT_STEPS = [
    # an announcement whose next step is a game, a taste, a request after a comma, or a time
    ("Neste uke kommer en ny is-smak. Gjett i kommentarfeltet!", "nb"),
    ("Nå er vinterjakkene tilbake. Vil du ha en før helgen, svar på denne.", "nb"),
    ("New cardamom buns are out today. We're open until 17 today on Torget.", "en"),
    # an invitation to reply is a next step too
    (
        "Vi åpner først kl. 10 i dag på grunn av snøen. Kjør forsiktig, og skriv gjerne hvordan "
        "føret er hos deg.",
        "nb",
    ),
    ("New opening hours from Monday: 8 to 4. Let us know if that works for you.", "en"),
    # an imperative with its object inside, after «og»/"so", or typed without æøå
    ("Den nye appen vår er klar for iPhone og Android. Last den ned i dag.", "nb"),
    ("Nytt år, nye timer hos oss. Meld deg inn før 15. januar.", "nb"),
    ("Nye tøfler i butikken var. Kjop dem mens lageret rekker.", "nb"),
    ("Our December tasting menu is out, so book a table before the 20th.", "en"),
    # a time of day and a place
    ("Julegranene er kommet! Salget er i Storgata 8, hver dag 10–18.", "nb"),
    ("Fresh cinnamon rolls are back. From 8am tomorrow at our Market St shop.", "en"),
]


def test_a_time_without_a_place_is_no_next_step(coach: Coach) -> None:
    draft = "Nyhet: nå har vi fått inn vinterdekk til elsykler. Levering fra 10. januar."
    assert "missing_call_to_action" in flags(coach, draft, "nb")


def test_a_thank_you_for_a_gift_is_an_ad_and_no_announcement(coach: Coach) -> None:
    draft = "Tusen takk til Sportshuset for gratis baller til hele fotballskolen vår!"
    found = flags(coach, draft, "nb")
    assert "undisclosed_ad" in found
    assert "missing_call_to_action" not in found


@pytest.mark.parametrize(("draft", "lang"), NEXT_STEPS)
def test_a_next_step_in_another_shape_is_found(coach: Coach, draft: str, lang: str) -> None:
    assert "missing_call_to_action" not in flags(coach, draft, lang)


ADS = [
    # a code, a link or a gift for another party, with no ad marking, even in a company's voice
    ("Vi elsker kaffen fra Brenneriet. Bruk koden KAFE10 hos dem for 10 % rabatt.", "nb"),
    ("Handler du via lenken vår til Sportshuset, får klubben en andel. Hva trenger du?", "nb"),
    ("Vi har fått hele serien gratis av Nordlys Hud. Hva synes dere om duften?", "nb"),
    ("Our whole team uses boots by Fjellsko. Code TEAM15 gives you 15% on their webshop.", "en"),
    ("We were sent a box of new protein bars this week. What flavour should we try first?", "en"),
    ("Book your cabin through our Hytteportal link and the club gets a share.", "en"),
    # a stay, a meal or a product paid by the other party, a thank-you for a thing, a named
    # sender, an affiliate parameter in the link, a post shown at the till (training sets 6-7)
    ("Tre netter på Fjellhytta Lodge, alt dekket av dem. Hvem har vært der?", "nb"),
    ("Spent a free weekend at Havblikk Hotel and loved the spa. Who has been?", "en"),
    ("Takk til @turbutikken for den nye staven! Hvor skal jeg gå først?", "nb"),
    ("Shout-out to @peakbrew for the cold brew that gets me through exams. What's yours?", "en"),
    ("Min nye løpejakke: https://sportx.example/jakke?ref=maria Hva synes dere om fargen?", "nb"),
    ("Studentkoret anbefaler Smuldra. Vis dette innlegget i kassa for en gratis bolle!", "nb"),
    ("Fjordsjokolade sendte oss en kasse julekuler. Hvem på kontoret spiste flest?", "nb"),
    ("Got to test the new e-bike from Voltra for a month. Questions about the range?", "en"),
]


@pytest.mark.parametrize(("draft", "lang"), ADS)
def test_a_code_or_gift_for_another_party_is_an_ad(coach: Coach, draft: str, lang: str) -> None:
    assert "undisclosed_ad" in flags(coach, draft, lang)


OWN = [
    # the company's own code, link or offer is no ad
    ("Bruk koden JUL20 hos oss i desember. Hvilken kake vil du bestille?", "nb"),
    ("Nytt på menyen: torsk fra Lofoten. Link i bio for hele menyen. Hva vil du smake?", "nb"),
    ("Book a haircut via the link in bio. Which day suits you?", "en"),
    ("Our loyalty card is back: every tenth coffee on the house. Grab one at the till?", "en"),
    ("Vi gir ikke gratis opphold mot innlegg, men svarer gjerne. Hva lurer du på?", "nb"),
]


@pytest.mark.parametrize(("draft", "lang"), OWN)
def test_a_companys_own_code_or_link_is_no_ad(coach: Coach, draft: str, lang: str) -> None:
    assert "undisclosed_ad" not in flags(coach, draft, lang)


SOURCED_OR_DENIED = [
    # a superlative with its award named, or denied, is no hype
    ("Vi ble nummer to i Nordlys sin kåring av byens beste kafé. Har du smakt kakene våre?", "nb"),
    ("Rated Bodø's best brunch by the Avisa Nordland critics. What is your brunch order?", "en"),
    ("Vi har ikke byens største butikk, men god tid til deg. Hva leter du etter?", "nb"),
    ("We're not the biggest bike shop in town, but we fix things fast. What needs fixing?", "en"),
    # denied a few words before, disclaimed by a verb, or quoted as a claim refused
    ("Vi vet ikke om vi har byens billigste kaffe, vi har ikke sjekket. Hva betaler du?", "nb"),
    ("We won't promise you'll learn French twice as fast. Small classes, 8 max. Questions?", "en"),
    ("No 'better than any gym' claims here. £29 a month, no contract. Want a free session?", "en"),
    # a rating with where it was given and by how many; a warranty of a stated length
    ("4,7 av 5 på Google fra 310 anmeldelser. Hva kan vi gjøre bedre?", "nb"),
    ("Fem års garanti på alle sykler, lenger enn loven krever. Spørsmål om vilkårene?", "nb"),
]


@pytest.mark.parametrize(("draft", "lang"), SOURCED_OR_DENIED)
def test_a_sourced_or_denied_superlative_is_no_hype(coach: Coach, draft: str, lang: str) -> None:
    assert "hype_unverifiable_claim" not in flags(coach, draft, lang)


@pytest.mark.parametrize(
    ("draft", "lang"),
    [
        ("Du finner ikke byens beste pizza noe annet sted enn hos oss. Hva vil du ha på?", "nb"),
        # 'not just' adds to the claim
        ("Vi er ikke bare byens beste bakeri, vi er også billigst. Hva vil du smake?", "nb"),
        ("We're not just the best pizza place in Tromsø, we're the fastest. Hungry?", "en"),
        # a warning not to miss it, or fees denied, leaves the claim standing
        ("Ikke gå glipp av byens beste julebord. Hvem blir med?", "nb"),
        ("Don't miss the best burgers in Tromsø. Who's hungry?", "en"),
        ("No hidden fees, and the cheapest gym in Bergen. Questions?", "en"),
    ],
)
def test_a_superlative_that_denies_the_reader_better_is_still_hype(
    coach: Coach, draft: str, lang: str
) -> None:
    assert "hype_unverifiable_claim" in flags(coach, draft, lang)


def test_being_sorry_is_not_being_fed_up(coach: Coach) -> None:
    sorry = "Vi er lei oss for at vi stengte tidlig i går. Har du en bestilling, skriv til oss her."
    fed_up = "Vi er lei av kunder som ikke leser skiltet. Hva tenker dere?"
    assert "negative_hostile" not in flags(coach, sorry, "nb")
    assert "negative_hostile" in flags(coach, fed_up, "nb")
