"""Innocent marketplace sentences in the 12 languages, for generating benchmark corpora."""

FILLER = {
    "en": [
        "Selling my bike, barely used, new tyres and a fresh chain.",
        "Pick up only, cash on collection, no time wasters please.",
        "Solid oak dining table with six chairs, some wear on the legs.",
        "Kids winter jacket size 8, warm and waterproof, smoke free home.",
        "Brand new phone case, still in the box, fits most models.",
        "Garden tools bundle: spade, rake, shears and a watering can.",
    ],
    "fr": [
        "Vends vélo en très bon état, pneus neufs, à récupérer sur place.",
        "Canapé trois places en tissu gris, quelques traces d'usure.",
        "Lot de livres pour enfants, parfait état, envoi possible.",
        "Table basse en chêne massif, dimensions 120 x 60 cm.",
        "Machine à café expresso, fonctionne parfaitement, avec notice.",
    ],
    "nl": [
        "Te koop: herenfiets in goede staat, nieuwe banden, ophalen in Utrecht.",
        "Eettafel van eikenhout met vier stoelen, lichte gebruikssporen.",
        "Kinderkleding maat 116, nette staat, rookvrij huis.",
        "Koffiezetapparaat werkt prima, inclusief filters.",
    ],
    "id": [
        "Jual sepeda gunung bekas, kondisi mulus, ban baru, bisa COD.",
        "Lemari pakaian dua pintu, kayu jati, masih kokoh.",
        "Baju anak ukuran 5 tahun, bahan katun adem, harga terjangkau.",
        "Rice cooker merk terkenal, jarang dipakai, lengkap dengan dus.",
    ],
    "ar": [
        "للبيع دراجة هوائية بحالة ممتازة، إطارات جديدة، الاستلام من الرياض.",
        "طاولة طعام خشبية مع ستة كراسي، استعمال خفيف.",
        "ملابس أطفال مقاس ثمانية سنوات، نظيفة وبحالة جيدة.",
        "ماكينة قهوة تعمل بشكل ممتاز مع جميع الملحقات.",
    ],
    "zh": [
        "出售九成新自行车，轮胎刚换，同城自提。",
        "实木餐桌一张配四把椅子，使用痕迹轻微。",
        "儿童冬季外套，尺码一百二十，保暖防水。",
        "全新手机壳，未拆封，适用多种型号。",
    ],
    "vi": [
        "Cần bán xe đạp cũ, còn mới, lốp vừa thay, nhận tại Hà Nội.",
        "Bàn ăn gỗ sồi kèm bốn ghế, hơi trầy nhẹ.",
        "Quần áo trẻ em size 6, hàng đẹp, giá hợp lý.",
        "Máy pha cà phê dùng tốt, đầy đủ phụ kiện.",
    ],
    "th": [
        "ขายจักรยานมือสอง สภาพดี เปลี่ยนยางใหม่ รับเองที่กรุงเทพ",
        "โต๊ะกินข้าวไม้สักพร้อมเก้าอี้สี่ตัว มีรอยใช้งานเล็กน้อย",
        "เสื้อผ้าเด็กไซส์หก สภาพดี ราคาไม่แพง",
        "เครื่องชงกาแฟใช้งานได้ดี อุปกรณ์ครบ",
    ],
    "es": [
        "Vendo bicicleta de montaña en buen estado, ruedas nuevas.",
        "Mesa de comedor de roble con seis sillas, algo de desgaste.",
        "Ropa de niño talla 8, muy buen estado, casa sin humo.",
        "Cafetera espresso funciona perfectamente, con manual.",
    ],
    "pt": [
        "Vendo bicicleta usada em ótimo estado, pneus novos, retirar no local.",
        "Mesa de jantar de madeira com quatro cadeiras, pouco uso.",
        "Roupas infantis tamanho 6, bom estado, preço justo.",
        "Máquina de café funcionando perfeitamente, com acessórios.",
    ],
    "de": [
        "Verkaufe Fahrrad in gutem Zustand, neue Reifen, nur Abholung.",
        "Esstisch aus Eiche mit vier Stühlen, leichte Gebrauchsspuren.",
        "Kinderjacke Größe 116, warm und wasserdicht, Nichtraucherhaushalt.",
        "Kaffeemaschine funktioniert einwandfrei, mit Anleitung.",
    ],
    "sw": [
        "Nauza baiskeli iliyotumika, iko katika hali nzuri, matairi mapya.",
        "Meza ya chakula ya mbao pamoja na viti vinne, imetumika kidogo.",
        "Nguo za watoto saizi sita, safi na bei nafuu.",
        "Mashine ya kahawa inafanya kazi vizuri, ina vifaa vyote.",
    ],
}
