"""A keyword net for immediate danger to life or health, checked before any classifier.

`EMERGENCY_PATTERNS` holds **regular expressions** (Python `re` syntax, not plain substrings), one tuple
per language: "uk", "ru", "pl", "en", and "translit" for Ukrainian and Russian typed in Latin letters.
They cover suicide and self-harm, violence happening now, medical emergencies (not breathing, heart
attack, stroke, unconsciousness, overdose, heavy bleeding), threats with a weapon or to kill, fire and
gas leaks, and being held against one's will (trafficking).

How the patterns are written and matched:
- They are matched with `re.search` against normalised text (see `normalise`): lower case, no
  zero-width characters, one kind of apostrophe ('), "ё" written as "е", single spaces, and Latin
  look-alike letters inside Cyrillic words replaced by Cyrillic ones ("нe" with a Latin "e").
  So patterns are lower case, use "'" for the Ukrainian apostrophe and "е" for "ё".
- They match word stems: a leading `\\b` anchors the start of a word, `\\w*` lets the ending vary
  ("покінч\\w*" covers покінчити, покінчу...).
- Polish patterns are written with diacritics. Each pattern is also compiled in a form with Polish
  diacritics removed and matched against the text with Polish diacritics removed, so "chce sie zabic"
  and "chcę się zabić" both match.
- All languages are checked for every message: people mix languages and keyboards.

The balance is deliberate: missing an emergency is far worse than a false alarm, so a question that
mentions a fire or a beating may match. Plain questions about reporting violence later, finding a
doctor or being fired from a job must not match ("fire" as in dismissal is excluded in English;
"звільнили" / "уволили" / "zwolnili" contain no pattern).
"""

from __future__ import annotations

import re
import unicodedata

# Polish diacritics -> plain letters. Cyrillic letters are never touched.
_PL_FOLD = str.maketrans("ąćęłńóśźż", "acelnoszz")

EMERGENCY_PATTERNS: dict[str, tuple[str, ...]] = {
    "uk": (
        # suicide and self-harm
        r"\bпок[іи]нч\w*\s+(?:з|із|зі)\s+собою",
        r"\bпок[іи]нч\w*\s+(?:\w+\s+)?самогубств",
        r"\bсамогубств\w*|\bсамогубц",
        r"\bсу[їіи]цид",
        r"\b[ву]б(?:'?ю|ити|'?є)\s+себе\b|\bсебе\s+[ву]б(?:'?ю|ити)\b",
        r"\bне\s+хоч(?:у|еться)\s+(?:(?:більше|вже|далі)\s+)?жити\b|\bжити\s+не\s+хочу\b",
        r"\bнабридло\s+жити|\bнема(?:є)?\s+сенсу\s+жити|\bне\s+бачу\s+сенсу\s+(?:в\s+|у\s+)?житт",
        r"\bхочу\s+(?:в|у|по)?мерти\b",
        r"\bповіс(?:итися|итись|ився|илася|илась)\b|\bповішу(?:ся|сь)\b",
        r"\b(?:ви|зі)?стриб\w*\s+(?:з|із)\s+(?:мосту|даху|вікна|балкон\w*|поверху)",
        r"\bхоч\w*\s+(?:\w+\s+)?(?:стрибнути|зістрибнути|вистрибнути|кинутися\s+(?:з|під))",
        r"різ\w*\s+(?:собі\s+)?вен|\bвскри\w*\s+(?:собі\s+)?вен",
        r"\bпроковтну\w*|\bнаковта\w*|\b(?:багато|всі|усі|пачку|жменю|упаковку)\s+(?:\w+\s+)?таблет",
        r"\bперед[оа]з\w*",
        r"\bотру[їє]\w*",
        # violence happening now
        r"\bб['ьъ]?(?:є|е|ють)\s+(?:мене|нас|дитину|дітей|маму|мою|мого|її|його|сина|доньку|сестру|брата)\b",
        r"\b(?:мене|нас|дитину|дітей)\s+(?:\w+\s+){0,2}б['ьъ]?(?:є|е|ють)\b",
        r"\bпобив\w*\s+мене|\bмене\s+(?:\w+\s+)?побил",
        r"\bдушить\s+(?:мене|її|його|дитину)|\bмене\s+(?:\w+\s+){0,2}душить",
        r"\b(?:у|в)\s+(?:нього|неї|них)\s+(?:\w+\s+)?(?:ніж|пістолет|рушниця|зброя|сокира)\b",
        r"\bлом(?:иться|ляться|ляє)\b|\bвлам\w*|\bвдира\w*|\bвдерл\w*|\bвломи\w*",
        r"\b[ву]б['ьъ]?(?:є|ють)\s+(?:мене|нас|її|дитину)\b",
        r"\b(?:мене|нас)\s+(?:\w+\s+)?[ву]б['ьъ]?(?:є|ють)\b",
        r"\b(?:мене|нас)\b.{0,25}\b[ву]бити\b|\b[ву]бити\s+(?:мене|нас)\b|\bвбива(?:ють|є)\b",
        r"\b[ув]дари(?:в|ла|ли)\s+мене|\bмене\s+(?:\w+\s+)?[ув]дари(?:в|ла|ли)\b",
        r"\bсокирою\b|\b(?:з|із)\s+(?:ножем|пістолетом|рушницею|сокирою|зброєю)",
        r"\bпогрож\w*.{0,40}?(?:[ву]бити|[ву]б['ьъ]?ю|[ву]б['ьъ]?є|вбивств|смерт|нож|пістолет|зброє|сокир)",
        r"\bнапа(?:в|ла|ли)\s+на\s+мене|\bна\s+мене\s+напа",
        r"\bножем\b|\bпістолет\w*|\bрушниц\w*|\bстріля(?:ють|є)\b|\bстрілянин",
        r"\bз?[ґг]валту\w*",
        # held against one's will / trafficking
        r"\b(?:мене|нас)\s+не\s+(?:від|ви)пуска\w*",
        r"\bне\s+(?:від|ви)пуска\w*\s+(?:мене\s+|нас\s+)?"
        r"(?:додому|(?:з|із)\s+(?:квартир|кімнат|будинк|дому|хати))",
        r"\bзачинил\w*\s+(?:мене|нас)|\b(?:мене|нас)\s+(?:\w+\s+)?зачинил|\bзамкну?л\w*\s+(?:мене|нас)",
        r"\bтрима(?:ють|є)\s+(?:мене\s+|нас\s+)?(?:силою|взаперті|замкнен|під\s+замком)",
        r"\b(?:за|віді|ві)бра\w*\s+(?:(?:у|в)\s+(?:мене|нас)\s+|мій\s+|мої\s+|наші\s+)?паспорт",
        r"\bне\s+можу\s+вийти\s+(?:з|із)\s+(?:квартир|кімнат|будинк|дому|хати|підвал)",
        r"\bзамкн\w*.{0,30}не\s+можу\s+вийти",
        # medical
        r"\bне\s+д[иы]ха",
        r"\bне\s+(?:може|можу|можемо)\s+д[иы]хати|\bзадиха\w*|\bзадихну",
        r"\b[іи]нфаркт|\b[іи]нсульт",
        r"\bсерцев\w*\s+напад|\bсерце\s+(?:зупинил|не\s+б['ьъ]?є|стало)",
        r"\b(?:болить|пече|стискає|коле)\s+(?:\w+\s+)?(?:серце|(?:в|у)\s+грудях)",
        r"\bбіль\s+(?:в|у)\s+(?:грудях|серці)",
        r"\bбез\s+свідомост|\bвтрати\w*\s+свідомість|\bзнепритомн\w*|\bне\s+прихо\w*\s+до\s+тями",
        r"\bне\s+прокида\w*",
        r"\bкров\w*\s+не\s+зупиня|\bкровотеч\w*|\bсильно\s+(?:\w+\s+)?кров|\bбагато\s+крові",
        r"\bкров\s+(?:\w+\s+)?(?:юшить|хлище|ллється|дзюрить)",
        r"\b(?:в|ви)па(?:в|ла|ли)\s+(?:з|із)\s+(?:риштуван|даху|висоти|драбини|балкон|поверху|вікна)",
        r"\bподавив\w*|\bвдавив(?:ся|ась)|\bсиніє\b",
        r"\bсудом(?:и|а|ить|ило)\b|\bепілептичн\w*\s+напад",
        r"\bвиклич(?:те|и)\s+швидк|\bпотрібна\s+швидка",
        # fire, gas
        r"\bпожеж(?:а|і|у|ею)\b",
        r"\b(?:горить|горять|палає)\s+(?:\w+\s+)?"
        r"(?:квартир|будин|хат|дім|кухн|під'?їзд|машин|кімнат|гуртожит)",
        r"\b(?:квартира|будинок|хата|дім|кухня|під'?їзд|кімната)\s+(?:\w+\s+)?(?:горить|палає)\b|\bгоримо\b",
        r"\bдим\s+(?:в|у|з|на)\s|\bзадимл",
        r"\b(?:запах|пахне|смердить)\s+газ|\bвит[іи]к\s+газу",
        r"\bрятуйте\b",
    ),
    "ru": (
        # suicide and self-harm
        r"\bпоконч\w*\s+(?:с\s+)?собой",
        r"\bпоконч\w*\s+(?:\w+\s+)?самоубийств",
        r"\bсамоубийств\w*|\bсамоубийц",
        r"\bсу[иі]цид|\bсуецид|\bсуицыд",
        r"\bуб(?:ить|ью|ей)\s+себя\b|\bсебя\s+уб(?:ить|ью)\b",
        r"\bне\s+хоч(?:у|ется)\s+(?:(?:больше|уже|дальше)\s+)?жить\b|\bжить\s+не\s+хочу",
        r"\bнадоело\s+жить|\bнезачем\s+жить|\bне\s+вижу\s+смысла\s+(?:в\s+)?жи",
        r"\bхочу\s+(?:у|по)м[еи]р[еи]ть\b|\bхочу\s+сдохнуть|\bлучше\s+бы\s+я\s+(?:умер|умерла|сдох)",
        r"\bповес(?:иться|ится|ился|илась|ишься)\b|\bповешусь\b",
        r"\b(?:вы|с)?пры[гж]\w*\s+(?:с|из)\s+(?:крыши|моста|окна|балкона|этажа)|\bсброситься\s+с",
        r"\bхоч\w*\s+(?:\w+\s+)?(?:прыгнуть|спрыгнуть|выпрыгнуть|броситься\s+(?:с|под))",
        r"рез\w*\s+(?:себе\s+)?вен|\bвскр\w*\s+(?:себе\s+)?вен",
        r"\bпроглоти\w*|\bнаглота\w*|\b(?:много|все|пачку|горсть|упаковку)\s+(?:\w+\s+)?таблет",
        r"\bпередоз\w*",
        r"\bотравил\w*|\bотравлен",
        # violence happening now
        r"\bб[ьъ]?(?:ет|ют)\s+(?:меня|нас|ребенка|детей|маму|мою|моего|ее|его|сына|дочь|сестру|брата)\b",
        r"\b(?:меня|нас|ребенка|детей)\s+(?:\w+\s+){0,2}б[ьъ]?(?:ет|ют)\b",
        r"\bизбива\w*|\bизбил\w*\s+меня|\bменя\s+(?:\w+\s+)?избил",
        r"\bпобил\w*\s+меня|\bменя\s+(?:\w+\s+)?побил",
        r"\bдушит\s+(?:меня|ее|его|ребенка)|\bменя\s+(?:\w+\s+){0,2}душит",
        r"\bу\s+(?:него|нее|них)\s+(?:\w+\s+)?(?:нож|пистолет|ружье|оружие|топор|ствол)\b",
        r"\bломит(?:ся|сь)\b|\bломятся\b|\bвламыва\w*|\bвломил\w*|\bвлез\w*\s+в\s+(?:квартир|дом)",
        r"\bубь(?:ет|ют)\s+(?:меня|нас|ее|ребенка)\b|\b(?:меня|нас)\s+(?:\w+\s+)?убь(?:ет|ют)\b",
        r"\b(?:меня|нас)\b.{0,25}\bубить\b|\bубить\s+(?:меня|нас)\b|\bубива(?:ют|ет)\b",
        r"\bудари(?:л|ла|ли)\s+меня|\bменя\s+(?:\w+\s+)?удари(?:л|ла|ли)\b",
        r"\bтопором\b|\bс\s+(?:ножом|пистолетом|ружьем|топором|оружием)",
        r"\bугрож\w*.{0,40}?(?:убить|убью|убьет|убийств|смерт|нож|пистолет|оружи|ствол|топор)",
        r"\bнапал\w*\s+на\s+меня|\bна\s+меня\s+напал",
        r"\bножом\b|\bпистолет\w*|\bружь[её]м|\bстреля(?:ют|ет)\b|\bстрельб",
        r"\bизнасил\w*|\bнасилу(?:ет|ют)\b",
        # held against one's will / trafficking
        r"\b(?:меня|нас)\s+не\s+(?:от|вы)пуска\w*",
        r"\bне\s+(?:от|вы)пуска\w*\s+(?:меня\s+|нас\s+)?(?:домой|(?:из|с)\s+(?:квартир|комнат|дома|здания))",
        r"\bзаперл\w*\s+(?:меня|нас)|\b(?:меня|нас)\s+(?:\w+\s+)?заперли|\bзаперт\w*.{0,30}не\s+могу\s+выйти",
        r"\bдержат\s+(?:меня\s+|нас\s+)?(?:силой|взаперти|под\s+замком|насильно)",
        r"\b(?:забрал|отобрал|отнял)\w*\s+(?:у\s+(?:меня|нас)\s+|мой\s+|мои\s+|наши\s+)?паспорт",
        r"\bне\s+могу\s+выйти\s+(?:из|с)\s+(?:квартир|комнат|дома|здания|подвала)",
        # medical
        r"\bне\s+дыш",
        r"\bне\s+(?:может|могу|можем)\s+дышать|\bзадыха\w*",
        r"\bинфаркт|\bинсульт",
        r"\bсердечн\w*\s+приступ|\bприступ\b|\bсердце\s+(?:остановил|не\s+бьется)",
        r"\b(?:болит|давит|жжет|колет)\s+(?:\w+\s+)?(?:сердце|в\s+груди)|\bболь\s+в\s+(?:груди|сердце)",
        r"\bбез\s+сознания|\bпотерял\w*\s+сознание|\bупал\w*\s+в\s+обморок|\bне\s+приходит\s+в\s+себя",
        r"\bне\s+просыпа\w*",
        r"\bкровь\s+не\s+останавлива|\bкровотечени|\bсильно\s+(?:\w+\s+)?кров|\bмного\s+крови",
        r"\bкровь\s+(?:\w+\s+)?(?:хлещет|льется|льет|фонтаном)",
        r"\b(?:у|вы)па(?:л|ла|ли)\s+(?:с|из)\s+(?:лесов|крыши|высоты|лестницы|балкона|этажа|окна)",
        r"\bподавил(?:ся|ась|ись)|\bсинеет\b",
        r"\bсудорог\w*|\bэпилептическ\w*\s+приступ",
        r"\bвызовите\s+скорую|\bвызови\s+скорую|\bнужна\s+скорая",
        # fire, gas
        r"\bпожар(?:а|е|у|ом)?\b",
        r"\b(?:горит|горят)\s+(?:\w+\s+)?(?:квартир|дом|кухн|подъезд|машин|здани|комнат|общежит)",
        r"\b(?:квартира|дом|кухня|подъезд|здание|комната)\s+(?:\w+\s+)?горит\b|\bгорим\b",
        r"\bдым\s+(?:в|из|на)\s|\bзадымлен",
        r"\b(?:запах|пахнет|воняет)\s+газ|\bутечк\w*\s+газа",
        r"\bспасите\b",
    ),
    "pl": (
        # suicide and self-harm
        r"\bzabi(?:ć|j|ję|jesz)\s+się\b|\bsię\s+zabi(?:ć|ję|j)\b",
        r"\bsamobój\w*",
        r"\bodebra\w*\s+sobie\s+życie|\bskończ\w*\s+ze\s+sobą|\bskończ\w*\s+z\s+życiem",
        r"\bnie\s+chc[ęe]\s+(?:(?:już|dalej|więcej)\s+)?żyć\b|\bnie\s+chce\s+mi\s+się\s+(?:już\s+)?żyć",
        r"\bchc[ęe]\s+(?:już\s+)?umrzeć|\bmam\s+dość\s+życia|\bnie\s+ma\s+sensu\s+żyć",
        r"\bpowie(?:sić|szę|sił|siła)\w*\s+się|\bsię\s+powie(?:sić|szę|sił|siła)\w*",
        r"\b(?:wy)?skocz\w*\s+z\s+(?:mostu|dachu|okna|balkonu|piętra|wieżowca)",
        r"\bchc[ęe]\s+(?:\w+\s+)?(?:skoczyć|wyskoczyć|rzucić\s+się)",
        r"\bpodci\w*\s+(?:sobie\s+)?żył|\bpocięł\w*\s+się|\bpociął\s+się|\btnę\s+się\b|\bsamookalecz",
        r"\bprzedawkow\w*|\bnałyka\w*",
        r"\b(?:dużo|wszystkie|całe\s+opakowanie|opakowanie|garść|za\s+dużo)\s+(?:\w+\s+)?"
        r"(?:tabletek|tabletki|leków|pigułek|prochów)",
        r"\bpołkn(?:ął|ęła|ęli|ąłem|ęłam)\w*|\bzatru(?:ł|ła|li)\w*\s+się|\botru(?:ł|ła|li|ć)\w*",
        # violence happening now
        r"\bbij[eą]\s+(?:mnie|nas|dziecko|dzieci|mamę|moj\w*|ją|go|syna|córkę|siostrę)\b",
        r"\b(?:mnie|nas|dziecko|dzieci)\s+(?:\w+\s+){0,2}bij[eą]\b",
        r"\bpobi(?:ł|ła|li)\s+mnie|\bmnie\s+(?:\w+\s+)?pobi(?:ł|ła|li)",
        r"\bnapad(?:ł|ła|li|nięt)\w*|\bmnie\s+napad\w*",
        r"\bdusi\s+(?:mnie|ją|go|dziecko)|\bmnie\s+(?:\w+\s+){0,2}dusi\b",
        r"\bma\s+(?:\w+\s+)?(?:nóż|broń|pistolet|siekierę)\b",
        r"\bwłam\w*|\bdobija\s+się|\bwdziera\s+się|\bwtargn\w*",
        r"\bzabij[eą]\s+(?:mnie|nas|ją|dziecko)|\b(?:mnie|nas)\s+(?:\w+\s+)?zabij[eą]\b",
        r"\bzabić\s+(?:mnie|nas)\b|\b(?:mnie|nas)\b.{0,25}\bzabić\b",
        r"\buderz(?:ył|yła|yli)\s+mnie|\bmnie\s+(?:\w+\s+)?uderz(?:ył|yła|yli)\b",
        r"\bsiekierą\b",
        r"\bgrozi\w*.{0,40}?(?:śmierci|zabi|nożem|nóż|bronią|pistolet|siekier)",
        r"\bnożem\b|\bpistolet\w*|\bz\s+bronią|\bstrzela(?:ją)?\b|\bstrzelanin",
        r"\bzgwałc\w*|\bgwałc(?:i|ą)\b",
        # held against one's will / trafficking
        r"\bzamknię\w*.{0,30}nie\s+mog[ęe]\s+wyj",
        r"\bzamkn(?:ął|ęła|ęli)\s+(?:mnie|nas)|\b(?:mnie|nas)\s+(?:\w+\s+)?zamkn(?:ął|ęła|ęli)",
        r"\bnie\s+pozwala\w*\s+(?:mi\s+|nam\s+)?(?:wyjść|odejść|wrócić)|\bnie\s+wypuszcza\w*",
        r"\btrzyma\w*\s+(?:mnie|nas)\s+(?:siłą|na\s+siłę|zamknięt|pod\s+kluczem)|\bwięzi\w*\s+(?:mnie|nas)",
        r"\b(?:za|ode)bra\w*\s+(?:mi\s+|nam\s+)?(?:mój\s+)?paszport|\btrzyma\w*\s+mój\s+paszport",
        r"\bnie\s+mog[ęe]\s+wyjść\s+z\s+(?:mieszkania|pokoju|domu|budynku|piwnicy)",
        # medical
        r"\bnie\s+oddycha",
        r"\bnie\s+(?:mogę|może|możemy)\s+oddycha|\bdusi\s+się|\bdławi\s+się|\bkrztusi\s+się",
        r"\bzawał(?:u|em)?\b|\budar(?:u|em)?\b|\binfarkt",
        r"\batak\s+serca|\bzatrzymanie\s+(?:akcji\s+)?(?:serca|krążenia)",
        r"\bserce\s+(?:\w+\s+)?(?:stanęło|przestało|nie\s+bije)",
        r"\b(?:ból|boli|kłuje)\s+(?:\w+\s+)?(?:w\s+)?(?:klatce|klatka|serce|sercu)",
        r"\bnieprzytomn\w*|\bstraci\w*\s+przytomność|\bzemdl\w*|\bnie\s+można\s+(?:go|jej)\s+obudzić",
        r"\bnie\s+budzi\s+się",
        r"\bkrwotok\w*|\b(?:mocno|bardzo|strasznie)\s+krwawi",
        r"\bkrew\s+(?:\w+\s+){0,2}nie\s+(?:przestaje|chce\s+przestać)",
        r"\bdużo\s+krwi|\b(?:leci|tryska|leje\s+się)\s+(?:\w+\s+)?krew",
        r"\b(?:spad|wypad)(?:ł|ła|ło|li)\s+z\s+(?:rusztowania|dachu|wysokości|drabiny|balkonu|piętra|okna)",
        r"\bzadławi\w*|\bzakrztusi\w*|\bsinieje\b",
        r"\bdrgawk\w*|\batak\s+padaczki",
        r"\b(?:wezwijcie|wezwij|dzwońcie\s+po|dzwoń\s+po)\s+(?:\w+\s+)?karetk|\bpotrzebna\s+karetka",
        # fire, gas
        r"\bpożar(?:u|em|ze)?\b",
        r"\bpali\s+się\s+(?:\w+\s+)?(?:mieszkani|dom|kuchni|budyn|blok|klatk|samoch|pokój)",
        r"\b(?:mieszkanie|dom|kuchnia|budynek|blok|klatka)\s+(?:się\s+)?pali\b|\bpalimy\s+się|\bogień\b",
        r"\bdym\s+(?:w|na|z)\s|\bzadymi\w*",
        r"\b(?:czuć|śmierdzi|zapach)\s+(?:\w+\s+)?gaz|\bulatnia\s+się\s+gaz|\bwyciek\w*\s+gazu",
        r"\bratunku\b",
    ),
    "en": (
        # suicide and self-harm
        r"\bkill(?:ing)?\s+my\s*self\b|\bkill\s+me\s*self\b",
        r"\bsuicid\w*",
        r"\bend(?:ing)?\s+(?:my|it|this)\s+(?:life|all)\b|\bend\s+it\s+all\b|\btake\s+my\s+(?:own\s+)?life",
        r"\b(?:want|wanna|going|gonna)\s+(?:to\s+)?die\b|\bwish\s+i\s+(?:was|were)\s+dead",
        r"\bbetter\s+off\s+dead",
        r"\b(?:don'?t|do\s+not)\s+want\s+to\s+(?:live|be\s+alive|exist)|\bno\s+reason\s+to\s+live",
        r"\bhang\s+myself|\bjump\s+(?:off|from)\s+(?:a|the|my)\s+(?:bridge|roof|building|balcony|window)",
        r"\b(?:cut|slit|slash)\w*\s+my\s+wrists?|\bself[\s-]?harm\w*",
        r"\b(?:want\s+to|wanna|going\s+to|gonna|keep)\s+hurt(?:ing)?\s+myself|\bhurting\s+myself",
        r"\boverdos\w*|\btoo\s+many\s+(?:pills|tablets|meds)",
        r"\bswallowed\s+(?:\w+\s+){0,2}(?:pills|tablets|bleach|poison)",
        r"\bpoison(?:ed|ing)\b",
        r"\b(?:took|swallowed|taken)\s+(?:all|a\s+lot\s+of|lots\s+of|the\s+whole\s+(?:pack|box|bottle)\s+of)"
        r"\s+(?:my\s+|the\s+|her\s+|his\s+)?(?:\w+\s+)?(?:pills|tablets|meds|medication)",
        # violence happening now
        r"\b(?:beating|hitting|hurting|attacking|choking|strangling|kicking|punching|raping|stabbing)\s+"
        r"(?:me|us|my|her|him)\b",
        r"\b(?:beats|hits|chokes|kicks|punches)\s+(?:me|us)\b|\bbeat\s+me\b|\bhit\s+me\b(?!\s+up)",
        r"\b(?:going\s+to|gonna|will|wants?\s+to|trying\s+to|threaten\w*\s+to|about\s+to)\s+"
        r"kill\s+(?:me|us|my|her|him)\b",
        r"\bkill\s+me\b|\bdeath\s+threats?\b",
        r"\bthreat\w*.{0,40}?(?:kill|knife|gun|weapon|death|die)",
        r"\b(?:with|has|have|got|holding|pointing)\s+a\s+(?:knife|gun|pistol|weapon)|\bstabbed\b",
        r"\bshooting\b",
        r"\bshots\s+fired|\bshot\s+(?:me|him|her|my)\b|\bwith\s+an\s+axe\b",
        r"\b(?:punched|kicked|slapped|choked|strangled|stabbed)\s+(?:me|us|my)\b",
        r"\braped\b|\braping\b|\bsexually\s+assault\w*",
        r"\b(?:being|been|was|got|am)\s+(?:just\s+)?attacked|\battacked\s+me\b",
        r"\b(?:breaking|broke|broken)\s+in(?:to)?\b|\bintruders?\b",
        r"\b(?:wants?|wanna|going|gonna|about|trying)\s+(?:to\s+)?jump\s+(?:off|from|out)\b",
        # held against one's will / trafficking
        r"\blocked\s+(?:me\s+|us\s+)?(?:in|up)\b|\bagainst\s+my\s+will|\bheld\s+(?:captive|hostage)",
        r"\bkeep(?:s|ing)?\s+me\s+(?:locked|prisoner|captive)",
        r"\b(?:won'?t|will\s+not|don'?t|do\s+not)\s+let\s+(?:me|us)\s+(?:leave|go|out)\b",
        r"\b(?:took|taken|keeping|kept|holding)\s+(?:away\s+)?(?:my|our)\s+passports?",
        r"\bcan'?t\s+get\s+out\s+of\s+(?:the|this|my|a)\s+(?:room|house|flat|apartment|building|basement)",
        r"\btrafficked\b|\bvictim\s+of\s+(?:human\s+)?trafficking",
        # medical
        r"\b(?:not|isn'?t|stopped|no\s+longer|aren'?t)\s+breathing|\bcan'?t\s+breath|\bcannot\s+breath",
        r"\bchoking\b",
        r"\bheart\s+attack|\bcardiac\s+arrest|\bchest\s+pains?\b|\bstroke\b",
        r"\bunconscious\b|\bpassed\s+out\b|\bfainted\b|\bcollapsed\b|\bunresponsive\b",
        r"\b(?:won'?t|not|isn'?t)\s+wak(?:e|ing)\s+up",
        r"\bbleeding\s+(?:a\s+lot|heavily|badly|everywhere)|\bwon'?t\s+stop\s+bleeding|\blots?\s+of\s+blood",
        r"\bfell\s+(?:off|from|out\s+of)\s+(?:a\s+|the\s+)?(?:scaffolding|roof|height|ladder|balcony|window)",
        r"\bseizures?\b|\bconvuls\w*",
        r"\b(?:need|call|send)\s+(?:an?\s+)?ambulance",
        # fire, gas ("fire" as a noun; not "fire me", "can they fire", "fired")
        r"(?<!\bto\s)(?<!\bcan\s)(?<!\bwill\s)(?<!\bmay\s)(?<!\bcould\s)(?<!\bmight\s)(?<!\bwould\s)"
        r"(?<!\bthey\s)(?<!\bnot\s)(?<!n't\s)(?<!\bboss\s)\bfire\b"
        r"(?!\s+(?:me|him|her|us|them|you|my|his|their|our|someone|somebody|people|workers?|employees?|staff"
        r"|an?|without|for|from\s+(?:a\s+|the\s+|my\s+)?(?:job|work|position))\b)",
        r"\b(?:house|flat|apartment|building|kitchen|room|car|home)\s+(?:is\s+)?(?:on\s+fire|burning)",
        r"\bon\s+fire\b",
        r"\bsmoke\s+(?:in|everywhere|coming)",
        r"\bgas\s+leak|\bsmells?\s+(?:of\s+)?gas\b",
    ),
    "translit": (
        # suicide and self-harm
        r"\bpok[iy]n[cč]h?\w*\s+(?:z|iz|zi)\s+sob|\bpokon[cč]h?\w*\s+s\s+sob",
        r"\bsamo(?:ubi[iyj]?stv|gubstv|hubstv)|\bsu[iy]?i?[ct]s?[iy]d",
        r"\b[uv]b(?:'?yu|'?iu|'?ju|it|yt|yty|iti|ity)\s+seb\w*",
        r"\bseb(?:e|ya|ia|ja)\s+[uv]b(?:'?yu|it|yt|yty|iti)\b",
        r"\bne\s+k?ho[cč]h?u\s+(?:(?:bolshe|bilshe|uzhe|vzhe)\s+)?(?:zh|z|j|ž)[iy]t",
        r"\bk?ho[cč]h?u\s+(?:u|po|v)?m[eiy]r(?:e?t|ty|ti)\b|\bhochu\s+sdohnut",
        r"\bperedoz\w*|\bnaglotal\w*|\bnakovtal\w*",
        # violence happening now
        r"\bb'?(?:yut|iut|jut|ye|ie|je|yet|yot|jot)\s+men(?:e|ya|ia|ja)\b",
        r"\bmen(?:e|ya|ia|ja)\s+(?:\w+\s+){0,2}b'?(?:yut|iut|jut|yot|jot|yet|ye|ie|je)\b",
        r"\bizbiva\w*|\bnapal\w*\s+na\s+men",
        r"\b(?:ugro[zž]h?a|pogro[zž]h?u)\w*.{0,40}?(?:[uv]b[iy]t|nozh|pistolet|smert)",
        r"\biznasil\w*|\bz?gvaltuv\w*",
        r"\bnozh(?:om|em)\b",
        # held against one's will / trafficking
        r"\bzaperl\w*|\b(?:mene|menya|menia)\s+ne\s+(?:otpuska|vidpuska|vypuska|vipuska)\w*",
        r"\bzachynyl\w*\s+mene",
        r"\b(?:zabral|zabraly|zabrali|vidibral|otobral)\w*\s+(?:u\s+men\w*\s+|v\s+mene\s+)?pasport",
        # medical
        r"\bne\s+d[yi](?:sh|kh|h|ch)|\b(?:ne\s+mogu|ne\s+mozhu)\s+d[yi](?:sh|kh|h)",
        r"\b[iy]nfarkt",
        r"\bbez\s+(?:soznani|svidomost)|\bznepryt\w*|\bpoteryal\w*\s+soznani",
        # fire
        r"\bpozh(?:ar|ezh)\w*",
        r"\b(?:spasite|ryatuyte|riatuite|ratuyte)\b",
    ),
}

_ZERO_WIDTH = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_COMBINING = re.compile("[\u0300-\u036f]")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'", "ʹ": "'", "′": "'"})
_CYRILLIC = re.compile("[а-яіїєґ]")
_LATIN = re.compile("[a-z]")
# Latin letters that look like Cyrillic ones, typed by mistake inside Cyrillic words.
_LOOKALIKES = str.maketrans("aceiopxyk", "асеіорхук")
_TOKEN = re.compile(r"\S+")


def _fix_mixed_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if _CYRILLIC.search(word) and _LATIN.search(word):
        return word.translate(_LOOKALIKES)
    return word


def normalise(text: str) -> str:
    """The form the patterns are matched against (Polish diacritics kept; see `fold_polish`)."""
    text = unicodedata.normalize("NFC", text).lower()
    text = _ZERO_WIDTH.sub("", text)
    text = _COMBINING.sub("", text)  # stress marks on Cyrillic vowels; Polish letters are precomposed
    text = text.translate(_APOSTROPHES).replace("ё", "е")
    text = _TOKEN.sub(_fix_mixed_word, text)
    return " ".join(text.split())


def fold_polish(text: str) -> str:
    """'chcę się zabić' -> 'chce sie zabic'; Cyrillic is left alone."""
    return text.translate(_PL_FOLD)


def matching_patterns(text: str) -> list[str]:
    """The sources of the patterns that match `text` (empty when none does): for logs and tests."""
    norm = normalise(text)
    folded = fold_polish(norm)
    return [src for src, exact, loose in _COMPILED_PAIRS if exact.search(norm) or loose.search(folded)]


def is_emergency(text: str) -> bool:
    """True when the message mentions immediate danger to life or health, in any of the languages."""
    norm = normalise(text)
    if any(p.search(norm) for p in COMPILED):
        return True
    folded = fold_polish(norm)
    return any(p.search(folded) for p in COMPILED_FOLDED)


def _unique_sources() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for patterns in EMERGENCY_PATTERNS.values():
        for src in patterns:
            seen.setdefault(src, None)
    return tuple(seen)


_SOURCES = _unique_sources()
# Compiled once: the patterns as written, and with Polish diacritics removed (matched against folded text).
COMPILED: tuple[re.Pattern[str], ...] = tuple(re.compile(src) for src in _SOURCES)
COMPILED_FOLDED: tuple[re.Pattern[str], ...] = tuple(re.compile(fold_polish(src)) for src in _SOURCES)
_COMPILED_PAIRS = tuple(zip(_SOURCES, COMPILED, COMPILED_FOLDED, strict=True))
