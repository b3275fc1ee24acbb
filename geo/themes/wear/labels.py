"""Translated texts of the infrastructure-wear theme: titles, description, network names, notes.

Every text is a :data:`~geo.i18n.Text` in English, Kazakh and Russian.
"""

from __future__ import annotations

from geo.i18n import Text, text

__all__ = [
    "COSTS_NOTE",
    "DESCRIPTION",
    "LIVES_NOTE",
    "NAME_COL",
    "NETWORK_TEXT",
    "NO_KNOWN_WEAR",
    "SEGMENTS_TITLE",
    "STATUS_COL",
    "SYNTHETIC_NOTE",
    "THEME",
    "TITLE",
    "UNKNOWN_WEAR",
    "ZONES_DESCRIPTION",
    "ZONES_TITLE",
    "segments_description",
    "unknown_note",
]

THEME = "infrastructure_wear"
TITLE = text(
    "Infrastructure wear: utility networks",
    "Инженерлік желілердің тозуы",
    "Износ инженерных сетей",
)
DESCRIPTION = text(
    "How worn the water, sewage, heating and power networks are, segment by segment and per micro-district and town, and where to rebuild first. Wear follows from age and normative life unless an inspection grade is given; the inventory is synthetic, generated so that Zhanatas comes out near the study's 95 %.",
    "Су, кәріз, жылу және электр желілерінің учаскелер, шағын аудандар мен қалалар бойынша тозуы және алдымен қай жерді қайта салу керегі. Тозу жас пен нормативтік мерзімнен есептеледі, тексеру бағасы болса, сол алынады; тізілім синтетикалық, Жаңатас зерттеудегі 95 %-ға жақын болатындай жасалған.",
    "Износ водопровода, канализации, теплосети и электросети по участкам, микрорайонам и городам и очерёдность реконструкции. Износ рассчитан по возрасту и нормативному сроку службы, если нет оценки обследования; реестр синтетический, создан так, чтобы износ Жанатаса был близок к 95 % из исследования.",
)
NETWORK_TEXT: dict[str, Text] = {
    "water": text("Water wear", "Су құбырының тозуы", "Износ водопровода"),
    "sewage": text("Sewage wear", "Кәріздің тозуы", "Износ канализации"),
    "heating": text("Heating wear", "Жылу желісінің тозуы", "Износ теплосети"),
    "power": text("Power wear", "Электр желісінің тозуы", "Износ электросети"),
}
STATUS_COL = {"en": "status_en", "kk": "status_kk", "ru": "status_ru"}
"""Column of ``micro_districts`` holding the planning status in each language."""
NAME_COL = {"en": "name", "kk": "name_kk", "ru": "name_ru"}
"""Column of ``micro_districts`` holding the name in each language."""

UNKNOWN_WEAR = text(
    "unknown (no install year or inspection)",
    "белгісіз (салынған жылы мен тексеруі жоқ)",
    "неизвестно (нет года прокладки и обследования)",
)
NO_KNOWN_WEAR = text(
    "no segment of known wear", "тозуы белгілі учаске жоқ", "нет участков с известным износом"
)

SEGMENTS_TITLE = text(
    "Network wear by segment",
    "Учаскелер бойынша желілердің тозуы",
    "Износ сетей по участкам",
)
ZONES_TITLE = text(
    "Length-weighted wear by micro-district and town",
    "Шағын аудандар мен қалалар бойынша ұзындыққа салмақталған тозу",
    "Средневзвешенный по длине износ по микрорайонам и городам",
)
ZONES_DESCRIPTION = text(
    "Segments split by zone in UTM; wear weighted by length; planning status of Zhanatas micro-districts from paper 001.",
    "Учаскелер UTM-де аймақтарға бөлінген; тозу ұзындық бойынша салмақталған; Жаңатас шағын аудандарының жоспарлау мәртебесі 001 мақаладан.",
    "Участки разделены по зонам в UTM; износ взвешен по длине; планировочный статус микрорайонов Жанатаса из статьи 001.",
)


def segments_description(method: str, reference_year: int) -> Text:
    """Description of the ``network_wear`` layer for a wear curve and reference year."""
    curve = _CURVES.get(method, text(method, method, method))
    return text(
        f"Wear of each segment: {curve['en']} age curve over the normative life, replaced by the inspection grade where one exists; reference year {reference_year}.",
        f"Әр учаскенің тозуы: нормативтік мерзімге қатысты {curve['kk']} жас қисығы, тексеру бағасы болса, соның мәні алынады; есептік жыл {reference_year}.",
        f"Износ каждого участка: {curve['ru']} по нормативному сроку службы, при наличии оценки обследования берётся она; расчётный год {reference_year}.",
    )


_CURVES = {
    "linear": text("the linear", "сызықтық", "линейная кривая"),
    "ross": text("Ross's", "Росс", "кривая Росса"),
}
"""The wear curves' names in the layer's description (``[wear] method``)."""


SYNTHETIC_NOTE = text(
    "The network inventory is SYNTHETIC: segments, materials and install years are invented so that Zhanatas's wear is near the study's 95 %; replace it with a utility inventory (--layer utility_networks=FILE).",
    "Желілер тізілімі СИНТЕТИКАЛЫҚ: учаскелер, материалдар мен салынған жылдар Жаңатастың тозуы зерттеудегі 95 %-ға жақын болатындай ойдан жасалған; оны коммуналдық кәсіпорынның тізілімімен ауыстырыңыз (--layer utility_networks=FILE).",
    "Реестр сетей СИНТЕТИЧЕСКИЙ: участки, материалы и годы прокладки придуманы так, чтобы износ Жанатаса был близок к 95 % из исследования; замените его реестром предприятия (--layer utility_networks=FILE).",
)
LIVES_NOTE = text(
    "Most normative lives are unverified (○) typical values; edit layers/tables/normative_life.csv.",
    "Нормативтік мерзімдердің көбі тексерілмеген (○) типтік мәндер; layers/tables/normative_life.csv файлын өңдеңіз.",
    "Большинство нормативных сроков — непроверенные (○) типовые значения; правьте layers/tables/normative_life.csv.",
)
COSTS_NOTE = text(
    "Replacement costs are ILLUSTRATIVE unit costs, not estimates.",
    "Ауыстыру құны — ШАРТТЫ бірлік бағалар, смета емес.",
    "Стоимость замены рассчитана по УСЛОВНЫМ удельным ценам, это не смета.",
)


def unknown_note(n_unknown: int) -> Text:
    """The note on *n_unknown* segments of unknown wear."""
    return text(
        f"{n_unknown} segment(s) have no install year and no inspection: their wear is shown as unknown.",
        f"{n_unknown} учаскенің салынған жылы да, тексеруі де жоқ: тозуы белгісіз деп көрсетілген.",
        f"У {n_unknown} участков нет ни года прокладки, ни обследования: износ показан как неизвестный.",
    )
