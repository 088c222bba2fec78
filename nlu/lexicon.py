"""Hand-kept word lists that tell the four languages apart where statistics are weakest: short and transliterated text."""

from __future__ import annotations

# Function words and very common verbs, written in Cyrillic.
UK_CYR = frozenset("""
як де що чи це мені мене мій моя моє мої потрібно треба можна отримати зробити взяти коли скільки чому
хто ви ти ми вони він вона є немає також або дуже дякую будь ласка привіт добрий день вечір
допоможіть підкажіть куди якщо який яка яке які для від біля після через дитина дитини дитину
роботу робота лікар лікаря паспорт документи звернутися потрібен потрібна потрібні вже ще тут там
хочу можу маю знайти отримання оформити оформлення зареєструвати продовжити чоловік дружина жінка
українець українка україни україні польща польщі польською польську мову вивчити навчання школа
школу садок допомога допомогу житло квартиру податки пенсія виплати
""".split())
RU_CYR = frozenset("""
как где что это мне меня мой моя моё мои нужно надо можно получить сделать взять когда сколько почему
кто вы ты мы они он она есть нет тоже или очень спасибо пожалуйста привет добрый день вечер
помогите подскажите куда если какой какая какое какие для от около после через ребенок ребёнок ребенка
работу работа врач врача паспорт документы обратиться нужен нужна нужны уже ещё здесь там
хочу могу имею найти получение оформить оформление зарегистрировать продлить муж жена женщина
украинец украинка украины украине польша польше польском польский язык выучить учёба учеба школа
школу садик помощь жильё жилье квартиру налоги пенсия выплаты
""".split())
# Letters that only one of the two languages uses.
UK_LETTERS = frozenset("іїєґ")
RU_LETTERS = frozenset("ыэъё")

# Transliterated (Latin) Ukrainian and Russian, as people type them without a Cyrillic keyboard.
UK_TRANSLIT = frozenset("""
yak de shcho scho shho chy tse meni mene miy moya potribno treba mozhna otrymaty zrobyty vzyaty
vziaty koly skilky chomu khto vy my vony vin vona ye nemaye diakuiu dyakuyu dyakuju pryvit dobryi
dopomozhit pidkazhit kudy yakshcho yakscho yakyi yaka yake yaki vid bilya pislya dytyna dytyny dytynu
likar likarya potriben potribna potribni vzhe shche khochu hochu mozhu mayu znayty znaity oformyty
zareyestruvaty prodovzhyty cholovik druzhyna vyvchyty polsku movu navchannya navchannia shkola shkolu
sadok dopomoha dopomohu zhytlo podatky vyplaty ukrainy ukrayiny pratsyuvaty pratsiuvaty robotu
""".split())
RU_TRANSLIT = frozenset("""
kak gde chto shto eto mne menya moy moi moya nuzhno nado mozhno poluchit sdelat vzyat vziat kogda
skolko pochemu kto vy my oni on ona est net tozhe ili ochen spasibo pozhaluysta pozhalujsta privet
dobryy dobryi pomogite podskazhite kuda esli kakoy kakoi kakaya kakie ot okolo posle rebenok rebenka
vrach vracha nuzhen nuzhna nuzhny uzhe eshche zdes khochu hochu mogu imeyu nayti naiti oformit
zaregistrirovat prodlit muzh zhena vyuchit polskiy polskii yazyk uchoba shkola shkolu sadik pomoshch
zhilye zhile nalogi vyplaty ukrainy rabotat rabotu rabota pasport dokumenty
""".split())
PL_WORDS = frozenset("""
jak gdzie co czy to mi mnie moj moja moje potrzebuje potrzebuję trzeba mozna można dostac dostać
zrobic zrobić wziac wziąć kiedy ile dlaczego kto pan pani jest nie tez też albo bardzo dziekuje dziękuję
prosze proszę czesc cześć dzien dzień dobry wieczor wieczór pomocy pomoc gdzie jesli jeśli jaki jaka jakie
dla od obok przez dziecko dziecka lekarz lekarza paszport dokumenty chce chcę moge mogę mam znalezc
znaleźć zalatwic załatwić zarejestrowac zarejestrować przedluzyc przedłużyć maz mąż zona żona polsku
jezyk język szkola szkoła szkoly szkoły przedszkole mieszkanie podatki praca prace pracę sie się w z
""".split())
EN_WORDS = frozenset("""
how where what can could i my me the a an to do does get need is are for of in on with from when much
many why who you your we please thanks thank hello hi help child kid doctor passport documents want
find register renew extend husband wife learn polish language school kindergarten apartment flat taxes
work job permit card residence apply application insurance bank account
""".split())
POLISH_LETTERS = frozenset("ąćęłńśźżó")
# Polish office terms ("karta pobytu", "urząd", "wniosek") are used inside every language, so they are
# deliberately not evidence for Polish above.

# Asking to switch the conversation's language (skeleton forms): phrases count in a short message,
# bare language names only when they are (almost) the whole message.
SWITCH_PHRASES: dict[str, tuple[str, ...]] = {
    "uk": ("po ukrainski", "po ukrainsku", "ukrainskoiu", "na ukrainskii", "na ukrainskom", "in ukrainian",
           "ukrainskoiu movoiu", "po ukrainsku"),
    "ru": ("po russki", "po russkii", "na russkom", "in russian", "po rosiiski", "rosiiskoiu", "po rosiisku"),
    "pl": ("po polsku", "in polish", "polskoiu", "na polskom", "po polski", "po polskii"),
    "en": ("in english", "po angliiski", "angliiskoiu", "na angliiskom", "po angielsku", "po angliisku"),
}
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "uk": ("ukrainian", "ukrainska", "ukrainskii", "ukrainski", "ukrainskii iazik", "ukrainska mova", "ua",
           "ukr"),
    "ru": ("russian", "russkii", "rosiiska", "rosiiskii", "rosiiski", "ru", "rus"),
    "pl": ("polish", "polski", "polskii", "polska", "polska mova", "polskii iazik", "pl"),
    "en": ("english", "angielski", "angliiskii", "angliiska", "en", "eng"),
}
