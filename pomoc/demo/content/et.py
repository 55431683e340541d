"""Estonian demo content."""

from pomoc.demo.content import Conversation as C
from pomoc.demo.content import Language

LANGUAGE = Language(
    code="et",
    country_code="372",
    first_names_female=("Kadri", "Liis", "Mari", "Triin", "Kristiina", "Maarja", "Piret", "Tiina", "Kätlin",
                        "Helen", "Merike", "Ülle", "Anneli", "Siiri", "Õie", "Eveli"),
    first_names_male=("Jüri", "Mart", "Toomas", "Andres", "Rein", "Tõnu", "Priit", "Margus", "Indrek", "Siim",
                      "Kristjan", "Märt", "Jaan", "Urmas", "Ülo", "Raul"),
    last_names=tuple((n, n) for n in (
        "Tamm", "Saar", "Sepp", "Mägi", "Kask", "Kukk", "Rebane", "Ilves", "Pärn", "Koppel", "Lepik", "Kuusk",
        "Raudsepp", "Vaher", "Põder", "Kõiv", "Lõhmus", "Kivi", "Luik", "Jõgi",
    )),
    companies=(
        ("Põhjaranniku Logistika OÜ", "pohjarannik.example"), ("Kägu Kohvik", "kagukohvik.example"),
        ("Tartu Tarkvaratehas AS", "tarkvaratehas.example"), ("Saaremaa Mööbel OÜ", "saaremoobel.example"),
        ("Pärnu Rannahotell", "rannahotell.example"), ("Võru Õunaaed", "ounaaed.example"),
        ("Järve Ehitus OÜ", "jarve-ehitus.example"),
    ),
    free_mail_domains=("post.example", "postkast.example", "mail.example"),
    products=("mobiilirakendus", "Pro-pakett", "broneerimissüsteem", "e-pood", "arveldusmoodul",
              "kliendiportaal", "Start-pakett"),
    plans=("Start", "Meeskond", "Äri", "Korporatsioon"),
    devices=("iPhone 15", "Samsung Galaxy A34", "Pixel 7a", "Xiaomi 13", "Nokia G22", "OnePlus Nord"),
    cities=("Tallinn", "Tartu", "Pärnu", "Narva", "Viljandi", "Rakvere", "Kuressaare", "Haapsalu"),
    greetings=("Tere!", "Tere päevast!", "Lugupeetud klienditugi!", "Tere hommikust!", "Tervist!",
               "Tere, vajan abi."),
    signoffs=("Tänan,\n{name}", "Parimate soovidega\n{name}", "Lugupidamisega\n{name}", "Ilusat päeva!\n{name}",
              "Tänan ette\n{name}"),
    agent_greetings=("Tere, {first}!", "Tere!", "Tere päevast! Aitäh, et kirjutasite.", "Tere, {first}! Aitäh "
                     "kannatlikkuse eest."),
    agent_signoffs=("Lugupidamisega\n{agent}\nKlienditugi", "Parimate soovidega\n{agent}",
                    "Ilusat päeva!\n{agent}", "Tervitades\n{agent}"),
    asides=("Kirjutan telefonist, vabandan võimalike trükivigade pärast.",
            "See on meile üsna kiireloomuline, olen tänulik kiire vastuse eest.",
            "Mu kolleegil oli eelmisel kuul sama probleem.",
            "Proovisin helistada, aga liin oli kinni.",
            "Oleme teie kliendid juba aastaid ja midagi sellist juhtub esimest korda.",
            "Palun vastake sellele aadressile, mitte tööaadressile."),
    thanks=("Nüüd töötab, suur aitäh!", "Lahendatud, aitäh kiire abi eest.", "Super, kõik on korras.",
            "Aitäh, nüüd on kõik õige.", "Töötab, tänan väga."),
    notes=("Vaatasin konto ajaloo üle, midagi kahtlast pole.", "Kliendil on aastaleping, palun olla vastutulelik.",
           "Eile tuli sarnane teade, võib olla seotud.", "Edastatud teisele tasandile, ootame vastust.",
           "Helistasin kliendile, ei vastanud. Proovin homme uuesti.", "Logid on salvestatud sisemisse wikisse."),
    conversations=(
        C("Technical", ("sisselogimine",), ("Ei saa pärast parooli vahetamist sisse logida",
                                            "Parooli lähtestamine ei tööta"),
          "Lähtestasin täna hommikul parooli, aga sisselogimise leht ütleb ikka, et andmed on valed. Proovisin "
          "telefonis ({device}) ja arvutis.",
          "Vabandame ebamugavuste pärast. Lähtestamise linki saab kasutada ainult üks kord ja teine katse muutis "
          "esimese kehtetuks. Eemaldasin konto luku – palun tellige uus link ja kasutage seda 30 minuti jooksul.",
          "Arvutis nüüd töötab, aga telefoni rakendus logib mind ikka välja.",
          "Aitäh kinnituse eest. Palun logige rakendusest täielikult välja ja uuesti sisse, seni hoiab see vana "
          "seanssi. Sulgen pöördumise, aga kui probleem kordub, vastake lihtsalt sellele kirjale.",
          "Konto lukustus pärast 10 katset, avasin käsitsi.", 3),
        C("Billing", ("arve",), ("Arve {invoice} tundub vale", "Küsimus arve {invoice} kohta"),
          "Arvel {invoice} on summa {amount}, kuigi leppisime kokku odavamas paketis {plan}. Kas saaksite enne "
          "maksmist üle vaadata?",
          "Teil on õigus, arve koostati vana hinnakirja järgi. Palusin raamatupidamisel väljastada kreeditarve "
          "ja parandatud arve.",
          "Aitäh. Kas parandatud arvel on uus maksetähtaeg?",
          "Jah, uue arve maksetähtaeg on 14 päeva tänasest ja kreeditarve tühistab vana arve täielikult. "
          "Mõlemad dokumendid leiate kliendiportaalist jaotisest Arveldus.",
          "Märtsis üle viidud kontodel kasutatakse ikka vana hinnakirja, arutan raamatupidamisega."),
        C("Billing", ("tagastus",), ("Makse võeti kaks korda", "Topeltmakse tagastamine"),
          "{date} võeti minu kaardilt sama tellimuse eest kaks korda {amount}. Palun tagastage üks makse.",
          "Näen mõlemat makset, vabandust. Tagastasin topeltmakse; tavaliselt ilmub see väljavõttele 3–5 "
          "tööpäeva jooksul.",
          "Nädal on möödas ja raha pole ikka tagasi.",
          "Kontrollisin makseteenuse pakkujaga: tagastus saadeti samal päeval. Pank peaks seda näitama ootel "
          "laekumisena. Kui reedeks seda pole, saatke palun väljavõtte ekraanipilt.",
          "Makselahendus kordas makset pärast aegumist, sellest ka topeltmakse.", 3),
        C("Sales", ("hinnapakkumine",), ("Hind {n} kasutajale", "Hinnapakkumise soov"),
          "Oleme {n}-liikmeline meeskond (kontor: {city}) ja meid huvitab {product}. Kas aastase makse puhul on "
          "soodustus?",
          "Aitäh huvi eest! Aastase makse korral saab {n} kasutajat kaks kuud tasuta. Lisasin pakkumise paketile "
          "{plan}; meelsasti räägin ka telefonis.",
          "Tundub hea. Kas saame enne proovida?",
          "Muidugi. Aktiveerisin teie meeskonnale 30-päevase prooviperioodi, kaarti pole vaja. Poole peal küsin, "
          "kuidas läheb.", "Soe kontakt, võtta ühendust kahe nädala pärast.", 2),
        C("Support", ("tarne",), ("Kus on minu tellimus {order}?", "Tellimus {order} pole veel kohale jõudnud"),
          "Tellisin {date} (tellimus {order}) ja saadetise jälgimine pole neli päeva muutunud.",
          "Võtsin kulleriga ühendust: pakk on nende terminalis ({city}), sest maja number oli vale. Homme "
          "toimetatakse see kohale.",
          "Ka täna ei tulnud midagi ja keegi ei helistanud.",
          "Vabandan, nii see olla ei tohi. Saadame teile täna kiirkulleriga asenduspaki ja esialgne pakk tuleb "
          "meile tagasi. Uue jälgimiskoodi saate e-postiga.", "Terminal kinnitas aadressivea.", 3),
        C("Technical", ("viga", "mobiil"), ("Rakendus jookseb foto avamisel kokku", "Mobiilirakendus jookseb kokku"),
          "Pärast viimast uuendust jookseb rakendus telefonis ({device}) kokku iga kord, kui avan foto.",
          "Aitäh teavitamast. Arendajad leidsid vea, see puudutab ainult suuri fotosid. Parandus tuleb "
          "järgmises versioonis sel nädalal. Seni töötab veebiversioon tavapäraselt.",
          "Uuendus on paigaldatud, enam kokku ei jookse.",
          "Rõõm kuulda! Sulgen pöördumise, aitäh kannatlikkuse eest.", "Seotud rakenduste poe veaaruandega.", 3),
        C("Support", ("konto",), ("Kuidas lisada kolleegi?", "Uue kasutaja lisamine"),
          "Meile tuli uus töötaja ja tahaksin talle ligipääsu anda. Kuidas seda teha?",
          "Avage Seaded, seejärel Meeskond ja klõpsake nuppu Kutsu. Kolleeg saab lingiga e-kirja. Paketis {plan} "
          "võib olla kuni {n} kasutajat.",
          "Leidsin üles, aga kutse ei jõudnud kohale.",
          "Kutsed satuvad mõnikord rämpsposti. Saatsin kutse uuesti; kui see ikka ei jõua, kontrollige palun, "
          "kas teie ettevõtte meiliserver võtab meie domeenist kirju vastu.", "", 1),
        C("Billing", ("tühistamine",), ("Tellimuse tühistamine", "Palun sulgege meie konto"),
          "Otsustasime teenuse kasutamise lõpetada. Palun tühistage tellimus kuu lõpus.",
          "Kahju, et lahkute. Tühistamine on ajastatud arveldusperioodi lõppu, seni on teil täielik ligipääs. "
          "Kas tohin küsida, miks otsustasite lahkuda?",
          "Peamiselt hinna pärast, oleme väike ettevõte ega kasuta enamikku funktsioone.",
          "Aitäh ausa vastuse eest. Kui kunagi tagasi tulete, võib Start-pakett paremini sobida. Andmeid saate "
          "eksportida veel 90 päeva.", "Lahkumise põhjus: hind. Pakkusin Start-paketti.", 2),
        C("Technical", ("liidestus", "api"), ("API tagastab hommikust saadik vea 401", "Liidestus lakkas töötamast"),
          "Meie liidestus saab teie API-lt äkki vea 401. Meie poolel pole midagi muutunud.",
          "Liidestuse kasutatava võtme lõi kasutaja, kes eile deaktiveeriti. Võtmed lakkavad töötamast, kui "
          "nende omanik eemaldatakse. Palun looge uus võti aktiivse administraatori kontoga.",
          "Tehtud, andmed liiguvad jälle. Kas saaksite järgmisel korral ette hoiatada?",
          "Õige märkus. Edastasin selle ettepanekuna: hoiatus administraatoritele enne, kui deaktiveerimine "
          "API-võtmeid mõjutab.", "Ettepanek kirja pandud: hoiatus enne võtmetega kasutaja deaktiveerimist.", 4),
        C("Support", ("kiitus",), ("Tänu teie kolleegile", "Kiitus suurepärase toe eest"),
          "Tahtsin lihtsalt tänada teie kolleegi, kes mind eile telefonis kannatlikult aitas.",
          "Suur aitäh, et leidsite aega kirjutada! Edastan teie head sõnad kogu meeskonnale.",
          "Pole tänu väärt, jätkake samas vaimus!",
          "Anname endast parima. Ilusat nädalat!", "", 1),
        C("Technical", ("jõudlus",), ("Aruanded laadivad väga aeglaselt", "Töölaud on kohutavalt aeglane"),
          "Alates esmaspäevast laadivad aruanded üle minuti. Kas midagi on valesti?",
          "Esmaspäeval ja teisipäeval oli meil aeglane andmebaasiserver, see on nüüd välja vahetatud. Kas "
          "saaksite uuesti proovida ja kirjutada, kui kaua see nüüd võtab?",
          "Palju parem, umbes kolm sekundit.",
          "Suurepärane, see on terve aasta aruande tavaline laadimisaeg. Sulgen pöördumise.",
          "Intsident sõlmes db-3 esmaspäeval, vt olekulehte.", 3),
        C("Sales", ("esitlus",), ("Esitluse soov", "Kas saame tooteesitluse kokku leppida?"),
          "Valime oma klienditoe meeskonnale tööriista. Meid huvitab {product} – kas saaksite seda meile näidata?",
          "Hea meelega! Mul on vabu aegu teisipäeval kell 10.00 ja neljapäeval kell 14.00. Kumb sobib paremini?",
          "Neljapäev sobib. Palun saatke kutse mulle ja mu juhile.",
          "Kutse neljapäevaks kell 14.00 on saadetud. Kohtumiseni!", "", 2),
        C("Support", ("tagastamine",), ("Kahjustatud toote tagastamine", "Toode saabus katkisena"),
          "Tellimuse {order} toode saabus mõranenud korpusega. Soovin selle tagastada.",
          "Kahju, et saadetis saabus kahjustatuna. Saatsin teile e-postiga tasutud tagastussildi; kui kuller "
          "paki ära viib, saadame kohe uue toote.",
          "Silt on prinditud ja pakk anti täna hommikul kullerile üle.",
          "Aitäh! Asendustoode on teel ja peaks kohale jõudma kahe tööpäeva jooksul.",
          "Juba kolmas kahjustatud pakk sellest laost sel nädalal.", 2),
        C("Technical", ("e-post",), ("Teavitused ei tule", "E-posti teavitusi ei saabu"),
          "Mõni päev tagasi lakkasid e-posti teavitused tulemast. Teised kirjad teilt jõuavad kohale.",
          "Teie aadress oli tagasipõrgete nimekirjas, sest postkast oli mõnda aega täis. Eemaldasin selle, nii "
          "et teavitused hakkavad jälle tulema.",
          "Üks tuli just praegu. Aitäh!",
          "Suurepärane. Andke teada, kui midagi jälle puudu jääb.", "Eemaldatud tagasipõrgete nimekirjast.", 2),
        C("Billing", ("käibemaks",), ("Arvel puudub KMKR number", "Palun lisage meie käibemaksukohustuslase number"),
          "Meie arvetel puudub käibemaksukohustuslase number, seetõttu ei saa raamatupidaja neid kirjendada.",
          "Numbri saate lisada jaotises Seaded > Arveldusandmed ja see ilmub kõigile järgmistele arvetele. Arve "
          "{invoice} väljastasin juba uuesti koos numbriga.",
          "Lisatud. Kas saaks ka kolm viimast arvet uuesti väljastada?",
          "Tehtud: kolm viimast arvet on uuesti väljastatud ja ootavad teid kliendiportaalis.", "", 2),
        C("Support", ("konto", "isikuandmed"), ("Isikuandmete kustutamine", "Andmete kustutamise taotlus"),
          "Palun kustutage kõik minu isikuandmed vastavalt isikuandmete kaitse üldmäärusele.",
          "Saime teie taotluse kätte. Isiku kinnitamiseks vastake palun kontol registreeritud aadressilt. "
          "Kustutame andmed 30 päeva jooksul.",
          "Vastan registreeritud aadressilt, nagu palusite.",
          "Aitäh, isik on kinnitatud. Teie andmed on kustutatud; arveid, mida peame seaduse järgi säilitama, "
          "hoiame ainult nõutud aja.", "Andmekaitsetaotlus – tähtaeg 30 päeva saabumisest.", 3),
        C("Technical", ("viga",), ("CSV-eksport ei sisalda kõiki veerge", "Eksport on poolik"),
          "Kui ekspordin kliendiloendi CSV-faili, on telefoni ja ettevõtte veerud tühjad.",
          "Aitäh põhjaliku kirjelduse eest. Suutsin vea korrata: eksport jätab vahele väljad, mis lisati pärast "
          "konto loomist. Arendajad juba tegelevad sellega.",
          "Kas on uudiseid? Vajame eksporti kvartaliaruande jaoks.",
          "Parandus on alates hommikust kasutusel. Uus eksport peaks sisaldama kõiki veerge.",
          "Korratud testkeskkonnas, viga registreeritud.", 3),
        C("Sales", ("paketivahetus",), ("Üleminek paketile {plan}", "Soovime suuremat paketti"),
          "Tahaksime minna Start-paketilt üle paketile {plan}. Kas me kaotame mingeid andmeid?",
          "Üldse mitte: üleminekul säilivad kõik andmed ja seaded. Maksate ainult vahe ülejäänud "
          "arveldusperioodi eest.",
          "Suurepärane, palun tehke see ära.",
          "Teie konto on nüüd paketis {plan}. Head kasutamist!", "", 2),
        C("Support", ("broneering",), ("Broneeringu muutmine ({date})", "Pean aja ümber tõstma"),
          "Mul on broneering kuupäevaks {date}, aga pean selle nädal hiljemaks tõstma. Kas see on võimalik?",
          "Muidugi. Saan pakkuda järgmise nädala teisipäeva või kolmapäeva samal kellaajal. Kumb sobib?",
          "Kolmapäev, palun.",
          "Tehtud! Kinnitus tuleb e-postiga ja päev varem saadame meeldetuletuse.", "", 1),
        C("Technical", ("turvalisus",), ("Kahtlane sisselogimine", "Kas keegi logis minu kontole sisse?"),
          "Sain kirja uue sisselogimise kohta kohast, kus ma pole kunagi käinud. Kas mu konto on häkitud?",
          "Kontrollisin: sisselogimine tuli mobiilsidevõrgust, mille aadressid on registreeritud mujal. Igaks "
          "juhuks lõpetasin kõik seansid; palun vahetage parool ja lülitage sisse kaheastmeline autentimine.",
          "Parool vahetatud ja kaheastmeline autentimine on sees.",
          "Suurepärane, konto on nüüd hästi kaitstud. Sulgen pöördumise.",
          "IP kuulub mobiilioperaatorile, tõenäoliselt valehäire.", 4),
        C("Billing", ("makse",), ("Kaardimakse lükati tagasi", "Pikendamise eest ei saa maksta"),
          "Pikendamise makse lükatakse pidevalt tagasi, kuigi kaart töötab mujal probleemideta.",
          "Teie pank nõuab 3-D Secure kinnitust, mida meie vana makseleht ei küsinud. Palun proovige uuesti, nüüd "
          "peaks pank kinnitust küsima.",
          "Seekord läks läbi, aitäh.",
          "Rõõm kuulda! Tellimus on pikendatud järgmise aastani.", "", 3),
        C("Support", ("juhend",), ("Kuidas keelt muuta?", "Rakenduse keele vahetamine"),
          "Mõned kolleegid eelistaksid rakendust poola keeles. Kas seda saab seadistada?",
          "Jah, igaüks valib keele jaotises Profiil > Keel. Muudatus mõjutab ainult tema enda vaadet.",
          "Leidsin üles, aitäh. Kas ka kliendid saavad e-kirju oma keeles?",
          "Jah, e-kirjad saadetakse kontaktile määratud keeles. Seda saab muuta kontakti profiilis.", "", 1),
        C("Technical", ("rike",), ("Teenus ei tööta", "Midagi ei laadi, kas on rike?"),
          "Alates kella üheksast ei pääse keegi meist rakendusse, näeme ainult tühja lehte.",
          "Oleme rikkest teadlikud, see puudutab osa kliente ja tehnikud tegelevad sellega. Annan teada niipea, "
          "kui see on lahendatud.",
          "Meil töötab jälle.",
          "Jah, teenus taastati kell 10.40. Avaldame intsidendi täieliku ülevaate olekulehel.",
          "Suur intsident, seotud olekulehe kirjega.", 4),
        C("Sales", ("partnerlus",), ("Koostööpakkumine", "Soovime teie toodet edasi müüa"),
          "Oleme IT-ettevõte (asukoht: {city}) ja sooviksime pakkuda oma klientidele teie lahendust.",
          "Aitäh, et võtsite ühendust! Meil on edasimüüjatele soodustusega partnerprogramm. Edastasin teie "
          "andmed partnerjuhile, kes võtab teiega sel nädalal ühendust.",
          "Keegi pole meiega ikka ühendust võtnud.",
          "Vabandan viivituse pärast, kolleeg oli reisil. Ta helistab teile homme ennelõunal.",
          "Edastatud partnerite meeskonnale.", 2),
        C("Support", ("kaebus",), ("Olen väga pettunud", "Kaebus klienditoe kohta"),
          "Ootan vastust juba üle nädala. See on täiesti vastuvõetamatu.",
          "Vabandan siiralt ootamise pärast, teie kiri suunati valele meeskonnale. Tegelen sellega nüüd "
          "isiklikult ja vastuse saate veel täna.",
          "Aitäh, et lõpuks vastasite.",
          "Nagu lubasin, on küsimus lahendatud ja vabanduseks lisasin teie kontole ühe tasuta kuu.",
          "Suunamisreegel saatis selle müügile. Parandasin reegli.", 3),
        C("Technical", ("import",), ("Tabelist importimine ebaõnnestub", "Kontaktide import ei õnnestu"),
          "Kontaktide import tabelist peatub real {n} arusaamatu veaga.",
          "Sellel real on kuupäev vormingus, mida me ära ei tunne. Palun kasutage vormingut AAAA-KK-PP, "
          "ülejäänud fail on korras.",
          "Parandasin kuupäevad ja import lõppes edukalt.",
          "Suurepärane! Kõik kontaktid on nüüd teie kontol.", "", 2),
    ),
)
