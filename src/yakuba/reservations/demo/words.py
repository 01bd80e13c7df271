"""Demo translations of 施設予約 (kernel.words): 下仁田町's facilities and rooms in English, a few in やさしい日本語."""

from __future__ import annotations

from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.words import services

from ..models import Facility
from ..words import FACILITY

# slug -> (name, description, {room name: English})
ENGLISH = {
    "kominkan": ("Shimonita Community Centre",
                 "Meeting rooms, a tatami room and a hall for club activities, neighbourhood meetings and talks. "
                 "Closed on Mondays, public holidays and over the New Year.",
                 {"第1会議室": "Meeting Room 1", "和室": "Tatami room", "大ホール": "Main hall"}),
    "taiikukan": ("Shimonita Town Gymnasium",
                  "For volleyball, badminton, table tennis and more. The arena can be booked as two courts "
                  "(A and B). Closed on Mondays and over the New Year (open on public holidays).",
                  {"A面": "Court A", "B面": "Court B"}),
    "ground": ("Shimonita Town Sports Ground",
               "For baseball, football and ground golf. There are no floodlights. If it rains, ask the staff "
               "before using it.",
               {"全面": "The whole ground"}),
    "kosodate": ("Shimonita Childcare Support Centre",
                 "A play space where preschool children and their parents can come freely, and a place to ask "
                 "about raising children.", {}),
}
EASY = {
    "kominkan": ("しもにた町 こうみんかん", {"和室": "たたみの へや"}),
    "taiikukan": ("しもにた町 たいいくかん", {}),
}


def load(municipality: Municipality, town: Town) -> None:
    if town.slug != "shimonita":
        return
    for facility in Facility.objects.filter(slug__in=ENGLISH).prefetch_related("rooms"):
        name, description, rooms = ENGLISH[facility.slug]
        texts = {"name": name, "description": description,
                 **{f"room.{room.pk}.name": rooms[room.name] for room in facility.rooms.all() if room.name in rooms}}
        services.load_texts(municipality, FACILITY, str(facility.pk), "en", texts, checked=True)
        if facility.slug in EASY:
            easy_name, easy_rooms = EASY[facility.slug]
            easy = {"name": easy_name, **{f"room.{room.pk}.name": easy_rooms[room.name]
                                          for room in facility.rooms.all() if room.name in easy_rooms}}
            services.load_texts(municipality, FACILITY, str(facility.pk), "easy", easy, checked=True)
