"""Translated titles, labels, notes and citations of the sustainability theme.

The toolkit's own texts in English, Kazakh and Russian: the theme title and
description, the survey's question, answer and factor-group labels, legend and
field texts (``T``), the map notes (``NOTES``) and the papers cited in the
manifest. Only these labels (never text from the input tables) appear in the
SVG charts.
"""

from __future__ import annotations

from geo.i18n import Text, text

THEME = "sustainability"


TITLE = text(
    "Sustainability of the small towns: indicators and index",
    "Шағын қалалардың тұрақтылығы: көрсеткіштер мен индекс",
    "Устойчивость малых городов: показатели и индекс",
)


SCHEMES: dict[str, str] = {
    "natural_breaks": "FisherJenks",
    "quantiles": "Quantiles",
    "equal_interval": "EqualInterval",
}
"""Recipe scheme names → mapclassify classifiers (Fisher–Jenks is the exact, deterministic natural breaks)."""


PAPER_000 = (
    "Paper 000: socio-economic assessment of Zhanatas, Karatau and Shu (grant AP14870750), "
    "survey of 2023, n = 499, and oblast statistics"
)


PAPER_001 = "Paper 001: post-industrial development of the mono-town Zhanatas (grant AP14870750)"


PAPERS: dict[str, Text] = {
    "000": text(
        PAPER_000,
        "000 мақала: Жаңатас, Қаратау және Шу қалаларының әлеуметтік-экономикалық бағалауы "
        "(AP14870750 гранты), 2023 жылғы сауалнама, n = 499, және облыс статистикасы",
        "Статья 000: социально-экономическая оценка Жанатаса, Каратау и Шу (грант AP14870750), "
        "опрос 2023 г., n = 499, и статистика области",
    ),
    "001": text(
        PAPER_001,
        "001 мақала: Жаңатас моноқаласының постиндустриялық дамуы (AP14870750 гранты)",
        "Статья 001: постиндустриальное развитие моногорода Жанатас (грант AP14870750)",
    ),
    "000_statistics": text(
        f"{PAPER_000} (Bureau of National Statistics 2023)",
        "000 мақала: Жаңатас, Қаратау және Шу қалаларының әлеуметтік-экономикалық бағалауы "
        "(AP14870750 гранты), 2023 жылғы сауалнама, n = 499, және облыс статистикасы "
        "(Ұлттық статистика бюросы, 2023)",
        "Статья 000: социально-экономическая оценка Жанатаса, Каратау и Шу (грант AP14870750), "
        "опрос 2023 г., n = 499, и статистика области (Бюро национальной статистики, 2023)",
    ),
    "index": text(
        f"Computed by the toolkit from the cited indicator tables ({PAPER_000}; {PAPER_001}; GeoNames)",
        "Құрал көрсетілген көрсеткіштер кестелерінен есептеген (000 және 001 мақалалар, "
        "AP14870750 гранты; GeoNames)",
        "Рассчитано программой по указанным таблицам показателей (статьи 000 и 001, "
        "грант AP14870750; GeoNames)",
    ),
}
"""The papers as the sources of the theme's layers name them, in every language."""


# -- the toolkit's own translated labels (the only text allowed in the SVG charts) --------
QUESTION_LABELS: dict[str, Text] = {
    "town": text("Town of residence", "Тұратын қаласы", "Город проживания"),
    "age": text("Age", "Жасы", "Возраст"),
    "years_in_town": text(
        "Years lived in the town", "Қалада тұрған жылдары", "Сколько лет живёт в городе"
    ),
    "income": text("Monthly income", "Айлық табыс", "Ежемесячный доход"),
    "development_start": text(
        "Where town development should start",
        "Қаланың дамуын неден бастау керек",
        "С чего начинать развитие города",
    ),
    "economy": text(
        "How to improve the economy",
        "Экономиканы қалай жақсартуға болады",
        "Как улучшить экономику",
    ),
    "ecology": text(
        "How to improve the ecology", "Экологияны қалай жақсартуға болады", "Как улучшить экологию"
    ),
    "future": text("Future", "Болашақ", "Будущее"),
}


ANSWER_LABELS: dict[tuple[str, str], Text] = {
    ("town", "shu"): text("Shu", "Шу", "Шу"),
    ("town", "karatau"): text("Karatau", "Қаратау", "Каратау"),
    ("town", "zhanatas"): text("Zhanatas", "Жаңатас", "Жанатас"),
    ("town", "not_stated"): text("Not stated", "Көрсетілмеген", "Не указан"),
    ("age", "18_28"): text("18–28", "18–28", "18–28"),
    ("age", "29_38"): text("29–38", "29–38", "29–38"),
    ("age", "39_48"): text("39–48", "39–48", "39–48"),
    ("age", "49_58"): text("49–58", "49–58", "49–58"),
    ("age", "59_68"): text("59–68", "59–68", "59–68"),
    ("age", "69_plus"): text("69+", "69+", "69+"),
    ("years_in_town", "over_30"): text("Over 30 years", "30 жылдан астам", "Более 30 лет"),
    ("income", "100_200k"): text("100–200 k tenge", "100–200 мың теңге", "100–200 тыс. тенге"),
    ("income", "60_100k"): text("60–100 k tenge", "60–100 мың теңге", "60–100 тыс. тенге"),
    ("income", "above_national_avg"): text(
        "Above national average", "Республикалық орташадан жоғары", "Выше средней по стране"
    ),
    ("income", "oblast_avg"): text("Oblast average", "Облыстық орташа", "Средняя по области"),
    ("development_start", "jobs"): text("Jobs", "Жұмыс орындары", "Рабочие места"),
    ("development_start", "street_repair"): text(
        "Street repair", "Көшелерді жөндеу", "Ремонт улиц"
    ),
    ("development_start", "recreation"): text("Recreation", "Демалыс орындары", "Места отдыха"),
    ("development_start", "education"): text("Education", "Білім беру", "Образование"),
    ("economy", "more_jobs"): text("More jobs", "Жұмыс орындарын көбейту", "Больше рабочих мест"),
    ("economy", "end_corruption"): text(
        "End corruption", "Сыбайлас жемқорлықты жою", "Искоренить коррупцию"
    ),
    ("economy", "housing"): text("Housing", "Тұрғын үй", "Жильё"),
    ("economy", "cheaper_credit"): text("Cheaper credit", "Арзан несие", "Доступный кредит"),
    ("ecology", "stop_littering"): text("Stop littering", "Қоқыс тастамау", "Не мусорить"),
    ("ecology", "eco_education"): text(
        "Eco-education from childhood",
        "Балалықтан экологиялық тәрбие",
        "Экологическое воспитание с детства",
    ),
    ("future", "links_future_with_town"): text(
        "Links future with the town",
        "Болашағын қаламен байланыстырады",
        "Связывает будущее с городом",
    ),
    ("future", "cannot_risk_moving"): text(
        "Cannot risk moving", "Көшуге тәуекел ете алмайды", "Не может рискнуть переездом"
    ),
    ("future", "plans_to_move"): text("Plans to move", "Көшуді жоспарлайды", "Планирует переехать"),
}


GROUP_LABELS: dict[str, Text] = {
    "economy": text("Economy", "Экономика", "Экономика"),
    "social": text("Social sphere", "Әлеуметтік сала", "Социальная сфера"),
    "ecology": text("Ecology", "Экология", "Экология"),
}


DESCRIPTION = text(
    "The published survey (499 respondents, 2023) and statistics of Zhanatas, Karatau and Shu on town and district outlines, with 95 % intervals, and a composite sustainability index with the rank interval each town keeps when weights and methods vary. The figures are published or derived as stated; the outlines are synthetic, and with three towns and a street sample the ranking is indicative.",
    "Жаңатас, Қаратау және Шудың жарияланған сауалнамасы (499 респондент, 2023) мен статистикасы қала және аудан шекараларында, 95 % аралықтарымен, және құрама тұрақтылық индексі: салмақтар мен әдістер өзгергенде әр қаланың орын аралығы. Сандар жарияланған немесе көрсетілгендей есептелген; шекаралар синтетикалық, үш қала мен көшедегі іріктеме кезінде рейтинг шамамен ғана.",
    "Опубликованные данные опроса (499 респондентов, 2023) и статистики по Жанатасу, Каратау и Шу на контурах городов и районов, с 95 % интервалами, и составной индекс устойчивости с интервалом места каждого города при изменении весов и методов. Цифры опубликованы или рассчитаны, как указано; контуры синтетические, а при трёх городах и уличной выборке рейтинг ориентировочный.",
)


T: dict[str, Text] = {
    "answer": text("answer", "жауап", "ответ"),
    "pooled": text(
        "All three towns pooled, n = 499; whiskers: 95 % Wilson interval",
        "Үш қала бірге, n = 499; мұрттар: 95 % Уилсон аралығы",
        "Три города вместе, n = 499; усы: 95 % интервал Уилсона",
    ),
    "town": text("Town", "Қала", "Город"),
    "district": text("District", "Аудан", "Район"),
    "share": text("Respondents from the town", "Қаладан респонденттер", "Респонденты из города"),
    "share_lo": text("95 % interval, lower", "95 % аралық, төменгі", "95 % интервал, нижняя"),
    "share_hi": text("95 % interval, upper", "95 % аралық, жоғарғы", "95 % интервал, верхняя"),
    "n_town": text(
        "Respondents (derived from the share)",
        "Респонденттер (үлестен есептелген)",
        "Респонденты (рассчитано по доле)",
    ),
    "moe_town": text(
        "Margin of error of a per-town share at 50 %",
        "Қала бойынша үлестің 50 % кезіндегі қателігі",
        "Погрешность доли по городу при 50 %",
    ),
    "not_sig": text(
        "Not significantly different from",
        "Статистикалық тұрғыдан айырмашылығы жоқ",
        "Статистически не отличается от",
    ),
    "mining_share": text(
        "Mining output, % of the oblast", "Тау-кен өнімі, облыстың %", "Горнодобыча, % от области"
    ),
    "reporting_unit_share": text(
        "Share of the published unit, %",
        "Жарияланған бірліктің үлесі, %",
        "Доля опубликованной единицы, %",
    ),
    "reporting_unit": text("Published for", "Кімге жарияланған", "Опубликовано для"),
    "index": text("Sustainability index", "Тұрақтылық индексі", "Индекс устойчивости"),
    "rank": text("Rank", "Орны", "Место"),
    "rank_lo": text("Rank interval, best", "Орын аралығы, ең жақсы", "Интервал места, лучшее"),
    "rank_hi": text("Rank interval, worst", "Орын аралығы, ең нашар", "Интервал места, худшее"),
    "p_rank1": text(
        "Share of Monte Carlo runs ranked first",
        "Бірінші орын алған Монте-Карло үлесі",
        "Доля прогонов Монте-Карло на первом месте",
    ),
    "imputed": text("Imputed values", "Толтырылған мәндер", "Вмененные значения"),
    "group_note": text(
        "{size} districts: {share} % together (no individual shares published)",
        "{size} аудан: бірге {share} % (жеке үлестер жарияланбаған)",
        "{size} районов: вместе {share} % (отдельные доли не опубликованы)",
    ),
    "individual": text("this district", "осы аудан", "этот район"),
    "nan_group": text(
        "published only together: {share} %",
        "тек бірге жарияланған: {share} %",
        "опубликовано только вместе: {share} %",
    ),
    "nan_mixed": text(
        "no own share published ({size} districts together: {share} %)",
        "жеке үлесі жарияланбаған ({size} аудан бірге: {share} %)",
        "своя доля не опубликована ({size} районов вместе: {share} %)",
    ),
    "group": text(
        "the other {size} districts together",
        "қалған {size} аудан бірге",
        "остальные {size} районов вместе",
    ),
    "not_covered": text(
        "not in the published breakdown",
        "жарияланған бөліністе жоқ",
        "нет в опубликованной разбивке",
    ),
    "by_town_title": text(
        "Survey and indicators by town",
        "Қалалар бойынша сауалнама мен көрсеткіштер",
        "Опрос и показатели по городам",
    ),
    "by_town_desc": text(
        "Share of the 499 respondents living in each town with its 95 % Wilson interval; per-town sample sizes are derived from these shares. Outlines are synthetic; the figures are published (paper 000) or derived as stated.",
        "499 респонденттің әр қаладағы үлесі және оның 95 % Уилсон аралығы; қала бойынша іріктеме көлемі осы үлестерден есептелген. Шекаралар синтетикалық; сандар жарияланған (000 мақала) немесе көрсетілгендей есептелген.",
        "Доля из 499 респондентов, живущих в каждом городе, с 95 % интервалом Уилсона; объёмы выборки по городам рассчитаны по этим долям. Контуры синтетические; цифры опубликованы (статья 000) или рассчитаны как указано.",
    ),
    "by_district_title": text(
        "Mining output by district", "Аудандар бойынша тау-кен өнімі", "Горнодобыча по районам"
    ),
    "by_district_desc": text(
        "Share of the oblast's mining output (paper 000). Districts with their own published share are coloured; the other {size} districts were published only together ({share} %), so they are grey here and outlined together.",
        "Облыстың тау-кен өніміндегі үлес (000 мақала). Жеке үлесі жарияланған аудандар боялған; қалған {size} аудан тек бірге жарияланған ({share} %), сондықтан мұнда сұр түсті және бірге қоршалған.",
        "Доля в горнодобыче области (статья 000). Районы с опубликованной собственной долей окрашены; остальные {size} районов опубликованы только вместе ({share} %), поэтому здесь они серые и обведены общим контуром.",
    ),
    "group_title": text(
        "Other {size} districts ({share} % together)",
        "Қалған {size} аудан (бірге {share} %)",
        "Остальные {size} районов (вместе {share} %)",
    ),
    "index_title": text(
        "Sustainability index (OECD/JRC method)",
        "Тұрақтылық индексі (OECD/JRC әдісі)",
        "Индекс устойчивости (метод OECD/JRC)",
    ),
    "index_desc": text(
        "Composite index of the indicators in maps/sustainability.toml (higher is better), with the rank and its 5–95 % interval from a Monte Carlo over weights, normalisation, aggregation and imputed values.",
        "maps/sustainability.toml көрсеткіштерінің құрама индексі (жоғары болса жақсы), орны және салмақтар, нормалау, біріктіру және толтырылған мәндер бойынша Монте-Карлодан алынған 5–95 % аралығы.",
        "Составной индекс показателей из maps/sustainability.toml (больше — лучше), с местом и его 5–95 % интервалом по Монте-Карло над весами, нормировкой, агрегированием и вмененными значениями.",
    ),
}


NOTES: dict[str, Text] = {
    "moe": text(
        "Survey sampling error: with n = {n} a share of 50 % is uncertain by ±{moe} pp (95 %); per-town shares of answers would be uncertain by ±{moe_lo} pp (n ≈ {n_hi}) to ±{moe_hi} pp (n ≈ {n_lo}). Respondents were approached in streets and public places, so the error of this convenience sample may be larger.",
        "Сауалнаманың іріктеме қателігі: n = {n} кезінде 50 % үлес ±{moe} п.т. (95 %) дәлдікпен анықталады; қала бойынша жауап үлестері ±{moe_lo} п.т. (n ≈ {n_hi}) мен ±{moe_hi} п.т. (n ≈ {n_lo}) аралығында болар еді. Респонденттер көшеде және қоғамдық орындарда сұралды, сондықтан қателік бұдан да үлкен болуы мүмкін.",
        "Ошибка выборки опроса: при n = {n} доля 50 % известна с точностью ±{moe} п.п. (95 %); доли ответов по городам — от ±{moe_lo} п.п. (n ≈ {n_hi}) до ±{moe_hi} п.п. (n ≈ {n_lo}). Респондентов опрашивали на улицах и в общественных местах, поэтому ошибка такой выборки может быть больше.",
    ),
    "pooled": text(
        "Per-town answers were published only as figures; the charts show all three towns pooled.",
        "Қалалар бойынша жауаптар тек суретте жарияланған; диаграммалар үш қаланы бірге көрсетеді.",
        "Ответы по городам опубликованы только на рисунках; диаграммы показывают три города вместе.",
    ),
    "synthetic_towns": text(
        "Town outlines are synthetic (not legal boundaries); the figures on them are published or derived as documented.",
        "Қала шекаралары синтетикалық (заңды шекаралар емес); олардағы сандар жарияланған немесе құжатталғандай есептелген.",
        "Контуры городов синтетические (не юридические границы); цифры на них опубликованы или рассчитаны, как описано.",
    ),
    "synthetic_districts": text(
        "The district outlines are synthetic (not the legal boundaries; pass real ones with --layer districts=PATH); the shares on them are published.",
        "Аудан шекаралары синтетикалық (заңды шекаралар емес; нақтыларын --layer districts=PATH арқылы беріңіз); олардағы үлестер жарияланған.",
        "Границы районов синтетические (не юридические; реальные задайте через --layer districts=PATH); доли на них опубликованы.",
    ),
    "group": text(
        "Mining output of the other {size} districts was published only together ({share} %); no district of that group is given an individual value.",
        "Қалған {size} ауданның тау-кен өнімі тек бірге жарияланған ({share} %); ол топтың ешбір ауданына жеке мән берілмейді.",
        "Горнодобыча остальных {size} районов опубликована только вместе ({share} %); ни одному району этой группы не приписано отдельное значение.",
    ),
    "inconsistent_share": text(
        "No whole number of the {n} respondents gives the published {share} % for {town} ({k0} → {p0} %, {k1} → {p1} %); the derived n = {k} is the nearest.",
        "{n} респонденттің ешбір бүтін саны {town} үшін жарияланған {share} %-ды бермейді ({k0} → {p0} %, {k1} → {p1} %); есептелген n = {k} ең жақыны.",
        "Никакое целое число из {n} респондентов не даёт опубликованные {share} % для {town} ({k0} → {p0} %, {k1} → {p1} %); рассчитанное n = {k} — ближайшее.",
    ),
    "few_units": text(
        "The index compares the towns on the few indicators published (or derived) for all of them; indicators missing for a town are shown but left out of the index.",
        "Индекс қалаларды барлығына жарияланған (немесе есептелген) бірнеше көрсеткіш бойынша салыстырады; бір қалаға жоқ көрсеткіштер көрсетіледі, бірақ индекске кірмейді.",
        "Индекс сравнивает города по немногим показателям, опубликованным (или рассчитанным) для всех; показатели, отсутствующие для какого-либо города, показаны, но в индекс не входят.",
    ),
}


FACTOR_LABELS: dict[str, Text] = {
    "normalisation": text("the normalisation", "нормалау әдісі", "способ нормировки"),
    "aggregation": text("the aggregation", "біріктіру әдісі", "способ агрегирования"),
    "weight": text("the weights", "салмақтар", "веса"),
    "value": text("the imputed values", "толтырылған мәндер", "вмененные значения"),
}
