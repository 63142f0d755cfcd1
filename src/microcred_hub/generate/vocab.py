"""Word pools of the synthetic catalogue: topics, title and sentence patterns per language.

Invented but realistic: the words users search for (data, zorg, Māori, durabilité...),
diacritics and macrons in every language that has them, and enough combinations that titles
and outcomes vary like a real register's.
"""

from __future__ import annotations

#: language -> topics (noun phrases as they appear inside a title)
TOPICS: dict[str, tuple[str, ...]] = {
    "en": (
        "data analysis", "digital marketing", "project management", "cyber security",
        "sustainable business", "health and safety", "early childhood education",
        "renewable energy", "cloud computing", "machine learning", "supply chain logistics",
        "customer service", "financial literacy", "mental health support", "construction safety",
        "apiary management", "forestry operations", "dairy farming", "aged care",
        "software testing", "user experience design", "public speaking", "leadership",
        "climate adaptation", "water quality monitoring", "hospitality management",
        "digital skills for teachers", "electric vehicle maintenance", "infection control",
        "accounting software", "circular economy", "team coaching", "web development",
        "biodiversity restoration", "wine production", "patient data privacy",
    ),
    "mi": (
        "te reo Māori", "tikanga Māori", "kaitiakitanga", "mātauranga Māori", "whakapapa",
        "manaakitanga", "te ao Māori", "waiata and haka", "rongoā Māori", "whānau ora",
        "toi whakairo", "mahinga kai", "te taiao", "hauora", "kōrero tuku iho",
    ),
    "nl": (
        "data-analyse", "duurzaam ondernemen", "zorgdata", "projectmanagement",
        "digitale vaardigheden", "datageletterdheid in de zorg", "circulaire economie",
        "energietransitie", "veiligheid op de bouwplaats", "klantgericht werken",
        "onderzoeksvaardigheden", "leiderschap", "programmeren met Python", "privacy en AVG",
        "gezondheidsbevordering", "logistiek", "financiële geletterdheid", "didactiek",
        "kunstmatige intelligentie", "waterbeheer", "coöperatief leren", "mediawijsheid",
        "verpleegkundige zorg", "natuurinclusief bouwen", "ondernemerschap",
    ),
    "de": (
        "Datenanalyse", "Projektmanagement", "Nachhaltigkeit im Unternehmen",
        "Künstliche Intelligenz", "Erneuerbare Energien", "Arbeitssicherheit",
        "Digitale Lehre", "Qualitätsmanagement", "Führungskompetenz", "Gesundheitsförderung",
        "Kreislaufwirtschaft", "Softwareentwicklung", "Datenschutz", "Logistik",
        "Pflegewissenschaft", "Gebäudeenergieberatung", "Wasserstofftechnik", "Barrierefreiheit",
    ),
    "fr": (
        "analyse de données", "gestion de projet", "économie circulaire",
        "intelligence artificielle", "énergies renouvelables", "sécurité au travail",
        "pédagogie numérique", "développement durable", "santé mentale", "cybersécurité",
        "gestion financière", "transition écologique", "soins infirmiers", "management d'équipe",
        "français langue étrangère", "protection des données", "agroécologie",
    ),
    "es": (
        "análisis de datos", "gestión de proyectos", "economía circular",
        "inteligencia artificial", "energías renovables", "seguridad laboral",
        "educación digital", "sostenibilidad", "atención al cliente", "ciberseguridad",
        "gestión financiera", "salud pública", "diseño de experiencia de usuario",
        "enfermería", "emprendimiento", "protección de datos", "turismo sostenible",
    ),
}  # fmt: skip

#: language -> title patterns; {t} is a topic
TITLE_PATTERNS: dict[str, tuple[str, ...]] = {
    "en": ("{t}", "Introduction to {t}", "Advanced {t}", "{t} in practice",
           "Foundations of {t}", "{t} for professionals", "Applied {t}", "{t}: essentials",
           "Leading {t}", "{t} for the workplace"),
    "mi": ("{t}", "He tīmatanga mō {t}", "{t} mō te wāhi mahi", "Te ako i {t}",
           "{t} – te reo me ngā tikanga"),
    "nl": ("{t}", "Inleiding {t}", "Basisvaardigheden {t}", "{t} in de praktijk",
           "Gevorderde {t}", "{t} voor professionals", "Toegepaste {t}", "Verdieping {t}"),
    "de": ("{t}", "Einführung in {t}", "{t} in der Praxis", "Grundlagen der {t}",
           "{t} für Fachkräfte", "Vertiefung {t}", "Angewandte {t}"),
    "fr": ("{t}", "Introduction à {t}", "{t} en pratique", "Fondamentaux de {t}",
           "{t} pour les professionnels", "Approfondissement : {t}"),
    "es": ("{t}", "Introducción a {t}", "{t} en la práctica", "Fundamentos de {t}",
           "{t} para profesionales", "Curso avanzado de {t}"),
}  # fmt: skip

#: language -> description sentences; {t} is a topic
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "en": ("This micro-credential is for people who work with {t} and want recognised skills.",
           "It responds to industry demand for staff who can apply {t} at scale.",
           "Learners build practical experience of {t} through real projects.",
           "Designed with employers, it covers the core of {t} in a few weeks."),
    "mi": ("Ka ako ngā ākonga i {t} i roto i te horopaki o te wāhi mahi.",
           "Mā tēnei tohu e whakapakari ai ngā pūkenga o {t}."),
    "nl": ("Deze microcredential is bedoeld voor professionals die met {t} werken.",
           "Je leert {t} toepassen in je eigen beroepspraktijk.",
           "Studenten ontwerpen oplossingen voor vraagstukken rond {t}."),
    "de": ("Dieses Microcredential richtet sich an Fachkräfte, die mit {t} arbeiten.",
           "Die Teilnehmenden wenden {t} in realen Projekten an."),
    "fr": ("Cette micro-certification s'adresse aux professionnels de {t}.",
           "Les apprenants mettent en œuvre {t} dans des situations réelles."),
    "es": ("Esta microcredencial está dirigida a profesionales de {t}.",
           "Los participantes aplican {t} en proyectos reales."),
}  # fmt: skip

#: language -> learning outcome sentences; {t} is a topic
OUTCOMES: dict[str, tuple[str, ...]] = {
    "en": ("Learners will be able to explain the principles of {t}.",
           "Apply {t} methods to a workplace problem and report the results.",
           "Evaluate risks and ethical issues in {t}.",
           "Plan and carry out a small {t} project with a team."),
    "mi": ("Ka taea e te ākonga te whakamārama i {t}.",
           "Ka whakamahi te ākonga i {t} i te wāhi mahi."),
    "nl": ("De student past {t} toe in een realistische casus.",
           "De student analyseert knelpunten rond {t} en doet aanbevelingen.",
           "Na afloop kun je de basisprincipes van {t} uitleggen."),
    "de": ("Die Teilnehmenden können {t} in der Praxis anwenden.",
           "Sie bewerten Risiken und Chancen der {t}."),
    "fr": ("L'apprenant sait appliquer {t} à un cas concret.",
           "Il évalue les enjeux éthiques et économiques de {t}."),
    "es": ("El estudiante aplica {t} a un caso práctico.",
           "Evalúa los riesgos y oportunidades de {t}."),
}  # fmt: skip

#: country -> (places, institution patterns with {p})
PROVIDER_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "NZ": (("Auckland", "Waikato", "Ōtautahi", "Whanganui", "Taranaki", "Tairāwhiti", "Ōtepoti",
            "Rotorua", "Nelson", "Whangārei", "Manawatū", "Hawke's Bay", "Te Tai Tokerau",
            "Kāpiti", "Southland", "Tauranga", "Wellington", "Canterbury", "Marlborough"),
           ("University of {p}", "Te Pūkenga – {p} Institute of Technology", "{p} Polytechnic",
            "Te Wānanga o {p}", "{p} Training Academy", "{p} Regional Skills Centre",
            "{p} Community Learning Trust", "{p} Private Training Establishment")),
    "NL": (("Utrecht", "Amsterdam", "Rotterdam", "Groningen", "Leiden", "Delft", "Eindhoven",
            "Tilburg", "Nijmegen", "Maastricht", "Zwolle", "Arnhem", "Den Haag", "Enschede",
            "Breda", "Leeuwarden", "Wageningen", "Deventer", "Haarlem", "Almere"),
           ("Universiteit {p}", "Hogeschool {p}", "ROC {p}", "Faculteit Gezondheid {p}",
            "Academie voor Zorg {p}", "Hogeschool {p} – Centrum voor Leven Lang Ontwikkelen",
            "Techniek College {p}", "Open Leercentrum {p}")),
    "DE": (("München", "Köln", "Düsseldorf", "Würzburg", "Lübeck", "Göttingen", "Tübingen",
            "Münster", "Nürnberg", "Saarbrücken", "Osnabrück", "Bremen", "Dresden", "Jena"),
           ("Universität {p}", "Hochschule {p}", "Technische Hochschule {p}",
            "Fachhochschule {p}", "Volkshochschule {p}", "Akademie für Weiterbildung {p}")),
    "FR": (("Évry", "Besançon", "Nîmes", "Orléans", "Créteil", "Lyon", "Montréal-la-Cluse",
            "Angoulême", "Sète", "Bordeaux", "Nantes", "Rennes", "Grenoble", "Toulouse"),
           ("Université de {p}", "École supérieure de {p}", "Institut universitaire de {p}",
            "CNAM {p}", "École d'ingénieurs de {p}", "Centre de formation de {p}")),
    "ES": (("Cádiz", "Córdoba", "León", "Málaga", "Logroño", "Alcalá", "Jaén", "Ávila",
            "Sevilla", "Valencia", "Zaragoza", "Bilbao", "Granada", "Salamanca"),
           ("Universidad de {p}", "Escuela Politécnica de {p}", "Instituto Técnico de {p}",
            "Centro de Formación Profesional de {p}", "Universidad Pública de {p}")),
    "IE": (("Dublin", "Cork", "Galway", "Limerick", "Maynooth", "Waterford", "Sligo", "Athlone"),
           ("University College {p}", "{p} Institute of Technology", "Technological University {p}",
            "{p} Education and Training Board", "{p} City University")),
    "BE": (("Leuven", "Gent", "Liège", "Namur", "Antwerpen", "Hasselt", "Mons"),
           ("KU {p}", "Universiteit {p}", "Université de {p}", "Hogeschool {p}",
            "Haute École de {p}")),
    "US": (("Springfield", "Riverside", "Franklin", "Madison", "Georgetown", "Salem", "Fairview",
            "Clinton", "Arlington", "Ashland", "Dover", "Oxford", "Jackson", "Burlington",
            "Manchester", "Milton", "Newport", "Auburn", "Dayton", "Lexington", "Clayton"),
           ("{p} Community College", "{p} State University", "University of {p}",
            "{p} Technical Institute", "{p} College of Health Sciences", "{p} Career Academy",
            "{p} Workforce Development Board", "{p} Institute of Technology")),
    "GB": (("Leeds", "Bristol", "Sheffield", "Cardiff", "Dundee", "Exeter", "Norwich", "Bath"),
           ("University of {p}", "{p} College", "{p} Metropolitan University",
            "{p} Institute of Further Education")),
    "AU": (("Brisbane", "Perth", "Adelaide", "Hobart", "Darwin", "Geelong", "Cairns"),
           ("University of {p}", "{p} TAFE", "{p} Institute of Technology")),
}  # fmt: skip

#: ESCO-like skills: (label, language of the label)
SKILLS: tuple[tuple[str, str], ...] = (
    ("analyse big data", "en"), ("develop digital content", "en"), ("manage a team", "en"),
    ("use spreadsheets software", "en"), ("apply health and safety standards", "en"),
    ("communicate with customers", "en"), ("perform project management", "en"),
    ("use programming languages", "en"), ("protect personal data and privacy", "en"),
    ("monitor water quality", "en"), ("manage beehives", "en"),
    ("operate forestry machinery", "en"),
    ("teach digital literacy", "en"), ("use Māori language", "en"), ("apply tikanga Māori", "en"),
    ("maintain electric vehicles", "en"), ("control infection risks", "en"),
    ("design user interfaces", "en"), ("perform financial analysis", "en"),
    ("coach employees", "en"), ("apply circular economy principles", "en"),
    ("test software", "en"), ("manage supply chains", "en"), ("speak in public", "en"),
    ("support mental health", "en"), ("care for elderly people", "en"),
    ("gegevens analyseren", "nl"), ("duurzaam werken", "nl"), ("zorgdata interpreteren", "nl"),
    ("Daten analysieren", "de"), ("Projekte leiten", "de"), ("analyser des données", "fr"),
    ("gérer un projet", "fr"), ("analizar datos", "es"), ("gestionar proyectos", "es"),
)  # fmt: skip

#: NZSCED (code, label) and ISCED-F (code, label)
NZSCED: tuple[tuple[str, str], ...] = (
    ("020103", "Programming"), ("031101", "Civil engineering"), ("050301", "Horticulture"),
    ("050999", "Environmental studies"), ("061301", "Nursing"), ("070101", "Teacher education"),
    ("080301", "Business management"), ("091501", "Te Reo Māori"), ("110101", "Hospitality"),
    ("090701", "Social work"), ("081101", "Banking and finance"), ("039999", "Engineering, other"),
)  # fmt: skip
ISCED: tuple[tuple[str, str], ...] = (
    ("0613", "Software and applications development and analysis"),
    ("0413", "Management and administration"), ("0521", "Environmental sciences"),
    ("0913", "Nursing and midwifery"), ("0114", "Teacher training with subject specialisation"),
    ("0712", "Environmental protection technology"), ("0311", "Economics"),
    ("0612", "Database and network design and administration"), ("1022", "Occupational health"),
)  # fmt: skip
