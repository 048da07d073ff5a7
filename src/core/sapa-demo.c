/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sapa-demo"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <sapa/sapa-demo.h>
#include <sapa/sapa-hlc.h>
#include <sapa/sapa-text.h>

#include "sapa-metrics-private.h"
#include "sapa-store-private.h"

/*
 * Reproducible demo data for a desk database.
 *
 * Everything comes from one GRand seeded with the options' seed and from the
 * options' `now`, in a fixed order, so the same seed and `now` give the same
 * rows. The data are bulk-loaded on a connection of our own, not through
 * sapa_store_save(): nothing is written to the change log (demo data are not
 * edits to sync), and the customer search indexes are built once at the end
 * instead of row by row through the triggers. The triggers and indexes are
 * taken from the database's own schema before the load and put back exactly
 * as they were.
 */

#define CHUNK_CUSTOMERS   5000
#define DAY               (24 * 3600)
#define HEAVY_TIMELINE    50000   /* one customer with a long history in big data sets */
#define HEAVY_THRESHOLD   100000

/* -- word lists ---------------------------------------------------------- */

typedef struct {
  const char * const *first;
  guint               n_first;
  const char * const *last;      /* NULL: a second given name instead */
  guint               n_last;
  guint               weight;
  gboolean            foreign;
} NameGroup;

static const char * const javanese_first[] = {
  "Budi", "Sri", "Agus", "Joko", "Wahyu", "Dwi", "Tri", "Eko", "Bambang", "Sutrisno",
  "Siti", "Dewi", "Rina", "Endang", "Suharti", "Slamet", "Hadi", "Puji", "Retno", "Wulan",
  "Bayu", "Sigit", "Yuni", "Ratna", "Heru", "Teguh", "Lestari", "Galih", "Ayu", "Dimas",
  "Muhammad", "Ahmad", "Nur", "Fajar", "Rizky", "Putri", "Indah", "Aditya", "Nanda", "Fitri",
};
static const char * const javanese_last[] = {
  "Santoso", "Wahyuni", "Susanto", "Prasetyo", "Widodo", "Setiawan", "Handayani", "Kurniasih",
  "Saputra", "Nugroho", "Purnomo", "Hartono", "Suryani", "Rahayu", "Wibowo", "Hidayat",
  "Pratama", "Sulistyo", "Utomo", "Wijayanti", "Kusuma", "Permana", "Firmansyah", "Ramadhan",
};
static const char * const sundanese_first[] = {
  "Asep", "Dadang", "Ujang", "Cecep", "Euis", "Neneng", "Iis", "Dede", "Yayan", "Ade",
  "Ujang", "Entis", "Nining", "Ikah", "Aep", "Deden", "Rosita", "Kokom", "Enok", "Yusuf",
};
static const char * const sundanese_last[] = {
  "Sunandar", "Supriatna", "Suryana", "Kurniawan", "Permadi", "Hermawan", "Rukmana",
  "Sumantri", "Wiradinata", "Gunawan", "Somantri", "Mulyana", "Kartika", "Nurjanah",
};
static const char * const batak_first[] = {
  "Rudolf", "Maruli", "Togar", "Sahat", "Tiur", "Rotua", "Horas", "Monang", "Dame", "Lamhot",
  "Juliana", "Ruth", "Samuel", "Yohana", "Parulian", "Bonar", "Nelly", "Martua", "Tigor", "Sondang",
};
static const char * const batak_last[] = {
  "Sitompul", "Siregar", "Nasution", "Hutapea", "Simanjuntak", "Panjaitan", "Lubis", "Harahap",
  "Sinaga", "Situmorang", "Pardede", "Simatupang", "Hutagalung", "Tampubolon", "Manurung",
  "Sihombing", "Nainggolan", "Silalahi", "Pasaribu", "Siahaan",
};
static const char * const chinese_first[] = {
  "Hendra", "Lina", "Kevin", "Felicia", "Steven", "Yenny", "William", "Melinda", "Andy", "Cindy",
  "Michael", "Jessica", "Ivan", "Vivian", "Ferry", "Lilis", "Hansen", "Meiliana", "Jonathan", "Grace",
};
static const char * const chinese_last[] = {
  "Wijaya", "Tanoto", "Halim", "Gunawan", "Salim", "Tanuwidjaja", "Hartanto", "Lim", "Tan",
  "Sutanto", "Kusnadi", "Liem", "Oei", "Susilo", "Wongso", "Setiadi", "Hadinata", "Chandra",
};
static const char * const minang_first[] = {
  "Rahmat", "Fadli", "Yusra", "Zulkifli", "Afrizal", "Rina", "Nofri", "Yulia", "Erlina", "Hendri",
  "Syafrizal", "Desi", "Roni", "Elvira", "Irwan", "Mardiah",
};
static const char * const minang_last[] = {
  "Chaniago", "Piliang", "Koto", "Sikumbang", "Tanjung", "Jambak", "Caniago", "Melayu",
  "Guci", "Sinaga", "Datuak", "Bendang",
};
static const char * const bugis_first[] = {
  "Andi", "Andi", "Muhammad", "Syamsul", "Nurhayati", "Haerul", "Sitti", "Baso", "Besse", "Rahman",
  "Ambo", "Hasnah", "Jusuf", "Husain", "Nurul", "Daeng",
};
static const char * const bugis_last[] = {
  "Mattalatta", "Mappanyukki", "Pettarani", "Sultan", "Amir", "Mallarangeng", "Makkasau",
  "Tenriajeng", "Pawelloi", "Mappasessu", "Arief", "Lanto",
};
static const char * const foreign_first[] = {
  "José", "Zoë", "François", "Søren", "Björn", "Chloé", "Jürgen", "Inés", "Renée", "Łukasz",
  "Siobhán", "Noémie", "Andrés", "Mia", "Oliver", "Emily", "Hiroshi", "Yuki", "Liam", "Ana",
};
static const char * const foreign_last[] = {
  "Müller", "García", "Dubois", "Nielsen", "Larsson", "Bernard", "Schröder", "Núñez", "Lefèvre",
  "Kowalski", "O'Brien", "Søgaard", "Smith", "Brown", "Tanaka", "Sato", "Jansen", "Rossi",
};

#define GROUP(f, l, w, fo) { f, G_N_ELEMENTS (f), l, G_N_ELEMENTS (l), w, fo }
static const NameGroup name_groups[] = {
  GROUP (javanese_first, javanese_last, 36, FALSE),
  GROUP (sundanese_first, sundanese_last, 15, FALSE),
  GROUP (batak_first, batak_last, 11, FALSE),
  GROUP (chinese_first, chinese_last, 13, FALSE),
  GROUP (minang_first, minang_last, 8, FALSE),
  GROUP (bugis_first, bugis_last, 8, FALSE),
  GROUP (foreign_first, foreign_last, 3, TRUE),
};
#undef GROUP

typedef struct {
  const char *city;
  const char *area;
  const char *timezone;
  int         utc_offset;   /* hours */
} City;

static const City cities[] = {
  { "Jakarta", "Menteng", "Asia/Jakarta", 7 },
  { "Bandung", "Dago", "Asia/Jakarta", 7 },
  { "Surabaya", "Tunjungan", "Asia/Jakarta", 7 },
  { "Medan", "Kesawan", "Asia/Jakarta", 7 },
  { "Yogyakarta", "Malioboro", "Asia/Jakarta", 7 },
  { "Semarang", "Simpang Lima", "Asia/Jakarta", 7 },
  { "Denpasar", "Sanur", "Asia/Makassar", 8 },
  { "Makassar", "Losari", "Asia/Makassar", 8 },
  { "Balikpapan", "Klandasan", "Asia/Makassar", 8 },
  { "Jayapura", "Dok II", "Asia/Jayapura", 9 },
  { "Ambon", "Batu Merah", "Asia/Jayapura", 9 },
};

static const char * const mobile_prefixes[] = {
  "811", "812", "813", "821", "822", "823", "851", "852", "853",  /* Telkomsel */
  "814", "815", "816", "855", "856", "857", "858",                /* Indosat */
  "817", "818", "819", "859", "877", "878",                       /* XL */
  "831", "832", "833", "838",                                     /* Axis */
  "895", "896", "897", "898", "899",                              /* Tri */
  "881", "882", "883", "887", "888", "889",                       /* Smartfren */
};

typedef struct { const char *domain; guint weight; } Domain;
static const Domain email_domains[] = {
  { "gmail.com", 52 }, { "yahoo.com", 11 }, { "yahoo.co.id", 8 }, { "outlook.com", 7 },
  { "hotmail.com", 5 }, { "icloud.com", 4 }, { "ymail.com", 3 }, { "live.com", 2 },
  { "telkom.net", 2 }, { "rocketmail.com", 1 },
};
static const char * const work_domains[] = {
  "majujaya.co.id", "sinarmas-demo.co.id", "kantorpos.example.id", "nusantara-logistik.co.id",
  "pt-abadi.co.id", "ui.ac.id", "ugm.ac.id", "itb.ac.id",
};

static const char * const tags_bank[] = { "payroll", "kpr", "credit-card", "senior", "umkm", "student", "pensioner", "joint-account" };
static const char * const tags_hotel[] = { "repeat-guest", "corporate", "honeymoon", "allergy", "late-checkout", "airport-pickup", "halal-meals" };
static const char * const tags_retail[] = { "member-gold", "online-shopper", "wholesale", "warranty", "reseller", "newsletter" };

static const char * const notes_id[] = {
  "Lebih suka dilayani dalam bahasa Jawa.",
  "Gangguan pendengaran: tulis informasi penting di kertas.",
  "Selalu minta dilayani oleh Pak Dedi.",
  "Datang bersama pendamping, butuh kursi roda.",
  "Minta dihubungi setelah jam 17.00.",
  "Pernah komplain soal antrean, beri prioritas bila memungkinkan.",
};
static const char * const notes_en[] = {
  "Prefers to be addressed in English.",
  "Hard of hearing: write important details down.",
  "Allergic to peanuts; inform the kitchen.",
  "Do not call before 9 am.",
  "Uses a wheelchair; offer the accessible counter.",
  "Complained about waiting times before; prioritise when possible.",
};

/* -- channels and reasons ---------------------------------------------- */

enum { CH_WALK_IN, CH_PHONE, CH_EMAIL, CH_CHAT, CH_WHATSAPP, CH_INSTAGRAM, CH_FACEBOOK,
       CH_X, CH_VIDEO, CH_APP, CH_HELP_CENTER, CH_NOTE, N_CHANNELS };

/* Origin channel weights of a conversation per branch kind (bank, hotel, retail);
 * notes are never the origin. */
static const guint channel_weights[3][N_CHANNELS] = {
  { 26, 22, 9, 8, 17, 2, 2, 2, 3, 7, 2, 0 },
  { 22, 20, 18, 5, 17, 6, 3, 2, 2, 3, 2, 0 },
  { 30, 12, 8, 10, 20, 8, 4, 3, 1, 3, 1, 0 },
};

static gboolean
is_live (guint ch)
{
  return ch == CH_WALK_IN || ch == CH_PHONE || ch == CH_VIDEO;
}

/* The desk's default service levels (sapa-desk.c), in seconds. */
static gint64
sla_target (guint ch)
{
  switch (ch)
    {
    case CH_PHONE: case CH_VIDEO: return 30;
    case CH_EMAIL: return DAY;
    case CH_WALK_IN: return 600;
    default: return 60;
    }
}

enum { R_ACCOUNT, R_CARD, R_TRANSFER, R_LOAN, R_BOOKING, R_BILLING, R_PRODUCT, R_COMPLAINT,
       R_TECHNICAL, R_OTHER, N_REASONS };

static const guint reason_weights[3][N_REASONS] = {
  { 24, 18, 16, 9, 0, 6, 4, 6, 10, 7 },
  { 0, 0, 0, 0, 44, 18, 8, 8, 6, 16 },
  { 4, 0, 0, 0, 0, 16, 44, 10, 10, 16 },
};

typedef struct {
  const char *subject[2];     /* id, en */
  const char *ask[2][3];      /* the customer writes or says */
  const char *reply[2][3];    /* the agent answers */
  const char *served[2][2];   /* the agent's summary of a visit or call */
} ReasonText;

static const ReasonText reason_texts[N_REASONS] = {
  [R_ACCOUNT] = {
    { "Buka rekening tabungan", "Opening a savings account" },
    { { "Saya mau buka rekening tabungan, syaratnya apa saja?", "Rekening saya terblokir, bagaimana cara membukanya?", "Mohon info saldo minimum tabungan." },
      { "I would like to open a savings account, what do I need?", "My account is blocked, how can I unblock it?", "What is the minimum balance for savings?" } },
    { { "Silakan bawa KTP dan NPWP ke cabang terdekat, prosesnya sekitar 15 menit.", "Rekening sudah kami buka kembali, silakan dicoba.", "Saldo minimum Rp 50.000, tanpa biaya bulanan." },
      { "Please bring your ID card and tax number to a branch; it takes about 15 minutes.", "We have unblocked your account, please try again.", "The minimum balance is Rp 50,000 with no monthly fee." } },
    { { "Nasabah membuka rekening tabungan baru, buku tabungan sudah diserahkan.", "Pemblokiran rekening dibuka setelah verifikasi KTP." },
      { "Customer opened a new savings account; passbook handed over.", "Account unblocked after checking the ID card." } },
  },
  [R_CARD] = {
    { "Kartu ATM", "Debit card" },
    { { "Kartu ATM saya tertelan mesin di Indomaret.", "Kartu debit saya hilang, tolong diblokir.", "PIN kartu saya terblokir setelah salah tiga kali." },
      { "The ATM kept my card.", "I lost my debit card, please block it.", "My card PIN is blocked after three wrong tries." } },
    { { "Kartu sudah kami blokir. Kartu pengganti bisa diambil di cabang.", "Silakan datang ke cabang dengan KTP untuk reset PIN.", "Mohon maaf atas ketidaknyamanannya, kartu baru sedang diproses." },
      { "Your card is blocked. A replacement is ready at the branch.", "Please visit a branch with your ID to reset the PIN.", "Sorry for the trouble; a new card is on its way." } },
    { { "Kartu pengganti dicetak dan diserahkan, PIN baru sudah dibuat.", "Reset PIN kartu debit di mesin teller." },
      { "Replacement card printed and handed over; new PIN set.", "Reset the debit card PIN at the counter." } },
  },
  [R_TRANSFER] = {
    { "Transfer dana", "Money transfer" },
    { { "Transfer ke BCA kemarin belum masuk, mohon dicek.", "Berapa biaya transfer antarbank via BI-FAST?", "Saya salah transfer ke rekening lain." },
      { "My transfer yesterday has not arrived, please check.", "What does an interbank transfer cost?", "I sent money to the wrong account." } },
    { { "Transfer sudah berhasil, dana masuk pukul 10.12 WIB.", "Biaya BI-FAST Rp 2.500 per transaksi.", "Kami sudah mengajukan permintaan pengembalian dana ke bank penerima." },
      { "The transfer went through at 10:12 WIB.", "An interbank transfer costs Rp 2,500.", "We have asked the receiving bank to return the money." } },
    { { "Membantu transfer valas ke luar negeri, bukti transfer diserahkan.", "Cek status transfer: dana sudah diterima penerima." },
      { "Helped with a foreign currency transfer; receipt handed over.", "Checked a transfer: the money has arrived." } },
  },
  [R_LOAN] = {
    { "Pengajuan KPR", "Mortgage application" },
    { { "Saya ingin mengajukan KPR, berapa bunganya?", "Cicilan bulan ini sudah terpotong dua kali.", "Bisa minta simulasi kredit kendaraan?" },
      { "I want to apply for a mortgage, what is the rate?", "This month's instalment was taken twice.", "Can I get a car loan simulation?" } },
    { { "Bunga KPR tetap 3 tahun pertama 6,5%. Dokumen bisa dikirim lewat email.", "Kelebihan potongan sudah dikembalikan ke rekening Anda.", "Simulasi kredit terlampir." },
      { "The mortgage rate is 6.5% fixed for three years. You can email the documents.", "The extra deduction has been refunded.", "The loan simulation is attached." } },
    { { "Konsultasi KPR, nasabah membawa slip gaji dan KTP.", "Tanda tangan akad kredit kendaraan." },
      { "Mortgage consultation; customer brought pay slips and ID.", "Signed the car loan agreement." } },
  },
  [R_BOOKING] = {
    { "Reservasi kamar", "Room booking" },
    { { "Apakah ada kamar deluxe untuk tanggal 12-14?", "Saya mau ubah tanggal menginap.", "Bisa minta late check-out jam 14.00?" },
      { "Do you have a deluxe room for the 12th to the 14th?", "I need to change my booking dates.", "Could I have a late check-out at 2 pm?" } },
    { { "Kamar deluxe tersedia, sudah kami reservasi atas nama Anda.", "Tanggal menginap sudah kami ubah tanpa biaya.", "Late check-out jam 14.00 sudah kami catat." },
      { "A deluxe room is available and booked in your name.", "We have changed your dates at no charge.", "Late check-out at 2 pm is noted." } },
    { { "Check-in tamu, kunci kamar 312 diserahkan.", "Check-out, tagihan minibar dibayar tunai." },
      { "Guest checked in; key to room 312 handed over.", "Checked out; minibar paid in cash." } },
  },
  [R_BILLING] = {
    { "Tagihan", "Billing" },
    { { "Tagihan saya ada biaya yang tidak saya kenali.", "Mohon kirim faktur pajak untuk pembelian kemarin.", "Pembayaran saya tertagih dua kali." },
      { "There is a charge on my bill I do not recognise.", "Please send the tax invoice for my purchase.", "I was charged twice." } },
    { { "Biaya tersebut adalah layanan laundry tanggal 3, rinciannya terlampir.", "Faktur pajak sudah kami kirim ke email Anda.", "Kelebihan pembayaran sudah kami kembalikan." },
      { "That is the laundry service on the 3rd; details attached.", "The tax invoice is in your inbox.", "We have refunded the double charge." } },
    { { "Menjelaskan rincian tagihan kepada pelanggan.", "Pengembalian dana diproses di kasir." },
      { "Went through the bill with the customer.", "Refund processed at the cashier." } },
  },
  [R_PRODUCT] = {
    { "Informasi produk", "Product question" },
    { { "Apakah sepatu ini ada ukuran 42?", "Kapan stok rice cooker datang lagi?", "Garansi blender ini berapa lama?" },
      { "Do you have these shoes in size 42?", "When will the rice cooker be back in stock?", "How long is the blender's warranty?" } },
    { { "Ukuran 42 tersedia, kami simpan sampai besok.", "Stok datang minggu depan, kami kabari lewat WhatsApp.", "Garansi resmi 1 tahun." },
      { "Size 42 is in stock; we will hold it until tomorrow.", "Stock arrives next week; we will message you.", "The warranty is one year." } },
    { { "Pelanggan mencoba beberapa model dan membeli satu.", "Klaim garansi diterima, barang dikirim ke servis." },
      { "Customer tried several models and bought one.", "Warranty claim accepted; item sent for repair." } },
  },
  [R_COMPLAINT] = {
    { "Keluhan pelayanan", "Service complaint" },
    { { "Saya sangat kecewa, sudah antre dua jam tidak dilayani.", "Kamar saya kotor dan AC tidak dingin.", "Barang yang saya terima rusak." },
      { "I am very disappointed, I waited two hours.", "My room was dirty and the air conditioning did not work.", "The item I received is broken." } },
    { { "Mohon maaf atas pengalaman ini. Kami sedang menindaklanjuti.", "Kami mohon maaf, petugas kami segera memperbaikinya.", "Mohon maaf, kami kirim penggantinya hari ini." },
      { "We are sorry about this and are following it up.", "We apologise; someone is fixing it now.", "We are sorry; a replacement goes out today." } },
    { { "Nasabah menyampaikan keluhan, sudah didengarkan dan dicatat.", "Keluhan diterima, dijanjikan tindak lanjut dalam 2 hari." },
      { "Customer raised a complaint; listened and took notes.", "Complaint received; promised a follow-up within 2 days." } },
  },
  [R_TECHNICAL] = {
    { "Kendala aplikasi", "App problem" },
    { { "Aplikasi tidak bisa login sejak update.", "Kode OTP tidak masuk ke HP saya.", "Notifikasi transaksi tidak muncul." },
      { "I cannot log in to the app since the update.", "The one-time code never arrives.", "I get no transaction notifications." } },
    { { "Silakan hapus cache aplikasi lalu login kembali.", "Nomor HP Anda sudah kami perbarui, silakan coba lagi.", "Notifikasi sudah kami aktifkan kembali." },
      { "Please clear the app's cache and log in again.", "We updated your phone number; please try again.", "Notifications are switched back on." } },
    { { "Membantu aktivasi aplikasi di HP nasabah.", "Reset perangkat terdaftar untuk aplikasi." },
      { "Helped activate the app on the customer's phone.", "Reset the registered device for the app." } },
  },
  [R_OTHER] = {
    { "Pertanyaan umum", "General question" },
    { { "Jam buka kantor cabang hari Sabtu?", "Apakah ada parkir untuk motor?", "Terima kasih atas bantuannya kemarin." },
      { "What are the opening hours on Saturday?", "Is there parking for motorbikes?", "Thank you for your help yesterday." } },
    { { "Hari Sabtu buka pukul 08.00-12.00.", "Ada, parkir motor di belakang gedung.", "Sama-sama, senang bisa membantu." },
      { "On Saturday we are open from 8 am to noon.", "Yes, behind the building.", "You are welcome, glad to help." } },
    { { "Pelanggan menanyakan informasi umum.", "Mengambil dokumen yang dititipkan." },
      { "Customer asked for general information.", "Picked up documents left for them." } },
  },
};

static const char * const internal_notes[] = {
  "Sudah dicek ke bagian operasional, menunggu konfirmasi.",
  "Nasabah minta dihubungi lagi besok pagi.",
  "Checked with the back office; waiting for their answer.",
  "Customer asked to be called back after lunch.",
  "Dokumen pendukung sudah diterima lengkap.",
  "Escalated internally to the shift supervisor.",
};

static const char * const escalation_reasons[] = {
  "Dana terdebit dua kali", "Card charged twice", "Tamu minta bicara dengan manajer",
  "Possible fraud on the account", "Kerusakan barang berulang", "Refund overdue",
};

static const char * const survey_comments_good[] = {
  "Pelayanan cepat dan ramah.", "Terima kasih, sangat membantu!", "Very helpful staff.",
  "Fast and friendly.", "Mantap, tidak perlu antre lama.",
};
static const char * const survey_comments_bad[] = {
  "Antrean terlalu lama.", "Petugas kurang paham masalah saya.", "Waited far too long.",
  "Still not solved.", "Harus datang dua kali.",
};

/* -- generator state ---------------------------------------------------- */

typedef struct {
  char       *id;
  guint       kind;       /* 0 bank, 1 hotel, 2 retail */
  const City *city;
  GPtrArray  *agent_ids;
} DemoBranch;

typedef struct {
  GRand        *rand;
  sqlite3      *db;
  gint64        now;
  guint         per_customer;
  GPtrArray    *branches;       /* DemoBranch* */
  sqlite3_stmt *ins_customer;
  sqlite3_stmt *ins_conversation;
  sqlite3_stmt *ins_interaction;
  sqlite3_stmt *ins_survey;
  gint64        next_interaction_num;
  gint64        next_customer_num;
  guint64       n_interactions;
} Demo;

static const char * const kind_names[] = { "bank", "hotel", "retail" };

static void
demo_branch_free (gpointer data)
{
  DemoBranch *b = data;

  g_free (b->id);
  g_ptr_array_unref (b->agent_ids);
  g_free (b);
}

static inline gint32
rnd (Demo   *d,
     gint32  lo,
     gint32  hi)
{
  return g_rand_int_range (d->rand, lo, hi + 1);
}

static inline gboolean
chance (Demo   *d,
        double  p)
{
  return g_rand_double (d->rand) < p;
}

#define PICK(d, array) ((array)[g_rand_int_range ((d)->rand, 0, G_N_ELEMENTS (array))])

static guint
weighted (Demo        *d,
          const guint *weights,
          guint        n)
{
  guint total = 0;
  gint32 r;

  for (guint i = 0; i < n; i++)
    total += weights[i];
  r = g_rand_int_range (d->rand, 0, total);
  for (guint i = 0; i < n; i++)
    {
      if (r < (gint32) weights[i])
        return i;
      r -= weights[i];
    }
  return n - 1;
}

/* Geometric on {0, 1, ...} with the given mean. */
static guint
geometric (Demo   *d,
           double  mean)
{
  double p, u;

  if (mean <= 0)
    return 0;
  p = 1.0 / (mean + 1.0);
  u = 1.0 - g_rand_double (d->rand);   /* (0, 1] */
  return (guint) floor (log (u) / log (1.0 - p));
}

static gboolean
sql_error (Demo        *d,
           int          rc,
           const char  *what,
           GError     **error)
{
  sapa_store_set_sqlite_error (error, d->db, rc, what);
  return FALSE;
}

static gboolean
exec (Demo        *d,
      const char  *sql,
      GError     **error)
{
  int rc = sqlite3_exec (d->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return sql_error (d, rc, _("write the demo data"), error);
  return TRUE;
}

static gboolean
step_reset (Demo          *d,
            sqlite3_stmt  *stmt,
            GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return sql_error (d, rc, _("write the demo data"), error);
  return TRUE;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           idx,
           const char   *value)
{
  if (value == NULL)
    sqlite3_bind_null (stmt, idx);
  else
    sqlite3_bind_text (stmt, idx, value, -1, SQLITE_TRANSIENT);
}

static void
bind_time (sqlite3_stmt *stmt,
           int           idx,
           gint64        value)    /* 0: unset */
{
  if (value == 0)
    sqlite3_bind_null (stmt, idx);
  else
    sqlite3_bind_int64 (stmt, idx, value);
}

static gint64
hlc_at (gint64 seconds)
{
  return (gint64) sapa_hlc_pack (seconds * 1000, 0);
}

/* A JSON array of plain ASCII strings (phones, emails, tags, steps), as the store writes lists. */
static char *
json_list (const char * const *values,
           guint               n)
{
  GString *out = g_string_new ("[");

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, '"');
      for (const char *p = values[i]; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

/* Moves @t into the opening hours (local time) of a branch: live contacts
 * between 08:00 and 16:00, others mostly between 06:00 and 22:00. */
static gint64
working_time (Demo             *d,
              const DemoBranch *branch,
              gint64            t,
              gboolean          live)
{
  gint64 offset = branch->city->utc_offset * 3600;
  gint64 local = t + offset;
  gint64 day = local - (local % DAY);
  gint64 sod = local % DAY;

  if (live)
    sod = 8 * 3600 + sod % (8 * 3600);
  else if (chance (d, 0.85))
    sod = 6 * 3600 + sod % (16 * 3600);
  return day + sod - offset;
}

/* -- names, phones, emails ---------------------------------------------- */

static char *
ascii_word (const char *text)
{
  g_autofree char *folded = sapa_text_fold (text);
  GString *out = g_string_new (NULL);

  for (const char *p = folded; *p; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

static void
make_name (Demo        *d,
           gboolean     hotel,
           char       **full_name,
           char       **first_out,
           char       **last_out,
           gboolean    *foreign)
{
  guint weights[G_N_ELEMENTS (name_groups)];
  const NameGroup *g;
  const char *first, *last;

  for (guint i = 0; i < G_N_ELEMENTS (name_groups); i++)
    weights[i] = name_groups[i].foreign && hotel ? 20 : name_groups[i].weight;
  g = &name_groups[weighted (d, weights, G_N_ELEMENTS (name_groups))];

  first = g->first[g_rand_int_range (d->rand, 0, g->n_first)];
  last = g->last[g_rand_int_range (d->rand, 0, g->n_last)];
  *foreign = g->foreign;

  /* Some Indonesians go by one name; others have two given names. */
  if (!g->foreign && chance (d, 0.07))
    *full_name = g_strdup (first);
  else if (!g->foreign && chance (d, 0.15))
    {
      const char *middle = g->first[g_rand_int_range (d->rand, 0, g->n_first)];
      *full_name = g_strdup_printf ("%s %s %s", first, middle, last);
    }
  else
    *full_name = g_strdup_printf ("%s %s", first, last);
  *first_out = ascii_word (first);
  *last_out = ascii_word (g_str_equal (*full_name, first) ? "" : last);
}

static char *
make_phone (Demo     *d,
            gboolean  foreign)
{
  if (foreign)
    {
      static const char * const codes[] = { "34", "33", "49", "45", "46", "61", "81", "44", "31", "39" };
      return g_strdup_printf ("+%s%d%08d", PICK (d, codes), rnd (d, 6, 7), rnd (d, 0, 99999999));
    }
  /* 0812-3456-789 (11 digits) to 0812-3456-7890 (12 digits) */
  if (chance (d, 0.6))
    return g_strdup_printf ("+62%s%08d", PICK (d, mobile_prefixes), rnd (d, 0, 99999999));
  return g_strdup_printf ("+62%s%07d", PICK (d, mobile_prefixes), rnd (d, 0, 9999999));
}

static char *
make_email (Demo       *d,
            const char *first,
            const char *last,
            gboolean    work)
{
  guint weights[G_N_ELEMENTS (email_domains)];
  const char *domain;

  if (*first == '\0')
    first = "user";
  if (work)
    return g_strdup_printf ("%s.%s@%s", first, *last ? last : "staff", PICK (d, work_domains));

  for (guint i = 0; i < G_N_ELEMENTS (email_domains); i++)
    weights[i] = email_domains[i].weight;
  domain = email_domains[weighted (d, weights, G_N_ELEMENTS (email_domains))].domain;

  if (*last == '\0')
    return g_strdup_printf ("%s%d@%s", first, rnd (d, 1, 9999), domain);
  switch (rnd (d, 0, 5))
    {
    case 0: return g_strdup_printf ("%s.%s@%s", first, last, domain);
    case 1: return g_strdup_printf ("%s%s@%s", first, last, domain);
    case 2: return g_strdup_printf ("%s_%s%d@%s", first, last, rnd (d, 1, 99), domain);
    case 3: return g_strdup_printf ("%s%c%d@%s", first, last[0], rnd (d, 10, 99), domain);
    case 4: return g_strdup_printf ("%s.%s%d@%s", first, last, rnd (d, 1960, 2006), domain);
    default: return g_strdup_printf ("%s%d@%s", first, rnd (d, 1, 999), domain);
    }
}

/* Unique per data set: a 3-digit branch code and a 7-digit sequence spread by
 * a multiplier coprime with 10^7. Hotels and shops use member numbers. */
static char *
make_account (guint  kind,
              guint  branch_index,
              gint64 num)
{
  guint64 spread = ((guint64) num * 7919u + 1234567u) % 10000000u;

  switch (kind)
    {
    case 0: return g_strdup_printf ("%03u%07" G_GUINT64_FORMAT, 100 + branch_index * 37, spread);
    case 1: return g_strdup_printf ("GM%02u%07" G_GUINT64_FORMAT, branch_index + 10, spread);
    default: return g_strdup_printf ("MBR%08" G_GUINT64_FORMAT, spread + (guint64) branch_index * 10000000u % 100000000u);
    }
}

/* -- setup ---------------------------------------------------------------- */

static gboolean
prepare (Demo          *d,
         const char    *sql,
         sqlite3_stmt **stmt,
         GError       **error)
{
  int rc = sqlite3_prepare_v3 (d->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);

  if (rc != SQLITE_OK)
    return sql_error (d, rc, _("prepare the demo data"), error);
  return TRUE;
}

static gboolean
insert_branches_and_agents (Demo    *d,
                            GError **error)
{
  g_autoptr(GPtrArray) usernames = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *ins_branch = NULL, *ins_agent = NULL;
  guint n_branches = rnd (d, 3, 6);
  guint used_cities = 0;
  gboolean ok = FALSE;

  if (!prepare (d, "INSERT INTO branch (id, name, kind, timezone, updated_hlc) VALUES (?, ?, ?, ?, ?);",
                &ins_branch, error) ||
      !prepare (d, "INSERT INTO agent (id, username, display_name, role, branch_id, language, updated_hlc) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?);", &ins_agent, error))
    goto out;

  for (guint i = 0; i < n_branches; i++)
    {
      DemoBranch *b = g_new0 (DemoBranch, 1);
      g_autofree char *name = NULL;
      guint ci;
      guint n_agents;

      /* One branch of each kind, then any kind; no city twice. */
      b->kind = i < 3 ? i : (guint) rnd (d, 0, 2);
      do
        ci = rnd (d, 0, G_N_ELEMENTS (cities) - 1);
      while (used_cities & (1u << ci));
      used_cities |= 1u << ci;
      b->city = &cities[ci];
      b->id = sapa_uuid_from_rand (d->rand);
      b->agent_ids = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (d->branches, b);

      switch (b->kind)
        {
        case 0: name = g_strdup_printf ("Bank Sapa KC %s %s", b->city->city, b->city->area); break;
        case 1: name = g_strdup_printf ("Hotel Sapa %s", b->city->city); break;
        default: name = g_strdup_printf ("Toko Sapa %s %s", b->city->city, b->city->area); break;
        }
      bind_text (ins_branch, 1, b->id);
      bind_text (ins_branch, 2, name);
      bind_text (ins_branch, 3, kind_names[b->kind]);
      bind_text (ins_branch, 4, b->city->timezone);
      sqlite3_bind_int64 (ins_branch, 5, hlc_at (d->now - 3 * 365 * DAY));
      if (!step_reset (d, ins_branch, error))
        goto out;

      n_agents = rnd (d, 4, 12);
      for (guint j = 0; j < n_agents; j++)
        {
          g_autofree char *full = NULL, *first = NULL, *last = NULL, *username = NULL;
          gboolean foreign;
          const char *role = j == 0 ? "supervisor" : (i == 0 && j == 1) ? "admin" : "agent";
          char *id = sapa_uuid_from_rand (d->rand);

          do
            {
              g_clear_pointer (&full, g_free);
              g_clear_pointer (&first, g_free);
              g_clear_pointer (&last, g_free);
              make_name (d, FALSE, &full, &first, &last, &foreign);
            }
          while (foreign);
          username = *last ? g_strdup_printf ("%s.%s", first, last) : g_strdup (first);
          for (guint n = 2; g_ptr_array_find_with_equal_func (usernames, username, g_str_equal, NULL); n++)
            {
              g_free (username);
              username = g_strdup_printf ("%s.%s%u", first, last, n);
            }
          g_ptr_array_add (usernames, g_strdup (username));
          g_ptr_array_add (b->agent_ids, id);

          bind_text (ins_agent, 1, id);
          bind_text (ins_agent, 2, username);
          bind_text (ins_agent, 3, full);
          bind_text (ins_agent, 4, role);
          bind_text (ins_agent, 5, b->id);
          bind_text (ins_agent, 6, chance (d, 0.85) ? "id" : "en");
          sqlite3_bind_int64 (ins_agent, 7, hlc_at (d->now - 3 * 365 * DAY));
          if (!step_reset (d, ins_agent, error))
            goto out;
        }
    }
  ok = TRUE;

out:
  sqlite3_finalize (ins_branch);
  sqlite3_finalize (ins_agent);
  return ok;
}

/* -- customers and their history ---------------------------------------- */

typedef struct {
  Demo             *d;
  const DemoBranch *branch;
  const char       *customer_id;
  guint             lang;          /* 0 id, 1 en */
  gint64            last_contact;
} CustomerCtx;

static gboolean
insert_interaction (CustomerCtx  *c,
                    const char   *conversation_id,
                    guint         channel,
                    const char   *direction,
                    const char   *event,
                    const char   *author_id,
                    const char   *body,
                    gint64        started,
                    gint64        ended,
                    gint64        wait,
                    GError      **error)
{
  Demo *d = c->d;
  sqlite3_stmt *s = d->ins_interaction;
  g_autofree char *id = sapa_uuid_from_rand (d->rand);

  /* Nothing after `now`: a contact that would end later moves back, keeping its length. */
  if (MAX (started, ended) > d->now - 60)
    {
      gint64 shift = MAX (started, ended) - (d->now - 60);

      started -= shift;
      if (ended > 0)
        ended -= shift;
    }

  sqlite3_bind_int64 (s, 1, d->next_interaction_num++);
  bind_text (s, 2, id);
  bind_text (s, 3, conversation_id);
  bind_text (s, 4, c->customer_id);
  bind_text (s, 5, sapa_channels[channel]);
  bind_text (s, 6, direction);
  bind_text (s, 7, event);
  bind_text (s, 8, author_id);
  bind_text (s, 9, body);
  sqlite3_bind_int64 (s, 10, started);
  bind_time (s, 11, ended);
  if (wait >= 0)
    sqlite3_bind_int64 (s, 12, wait);
  sqlite3_bind_int64 (s, 13, hlc_at (started));
  c->last_contact = MAX (c->last_contact, started);
  d->n_interactions++;
  return step_reset (d, s, error);
}

/* Handle time of a live contact in seconds. */
static gint64
handle_time (Demo *d,
             guint channel)
{
  switch (channel)
    {
    case CH_PHONE: return rnd (d, 120, 900);     /* 2-15 min */
    case CH_WALK_IN: return rnd (d, 300, 1800);  /* 5-30 min */
    case CH_VIDEO: return rnd (d, 300, 1500);    /* 5-25 min */
    default: return 0;
    }
}

static gint64
queue_wait (Demo *d,
            guint channel)
{
  switch (channel)
    {
    case CH_PHONE: return chance (d, 0.8) ? rnd (d, 0, 30) : rnd (d, 31, 300);
    case CH_WALK_IN: return chance (d, 0.75) ? rnd (d, 0, 600) : rnd (d, 601, 2400);
    case CH_VIDEO: return rnd (d, 0, 90);
    default: return -1;
    }
}

/* Seconds until the other side answers on a written channel. */
static gint64
reply_delay (Demo *d,
             guint channel)
{
  switch (channel)
    {
    case CH_CHAT: case CH_APP: return chance (d, 0.8) ? rnd (d, 10, 60) : rnd (d, 61, 900);
    case CH_WHATSAPP: return rnd (d, 30, 3600);
    case CH_EMAIL: case CH_HELP_CENTER: return chance (d, 0.7) ? rnd (d, 1800, DAY) : rnd (d, DAY, 3 * DAY);
    case CH_INSTAGRAM: case CH_FACEBOOK: case CH_X: return rnd (d, 300, 6 * 3600);
    default: return rnd (d, 3600, 2 * DAY);
    }
}

static int
survey_score (Demo     *d,
              guint     kind,
              gboolean  unhappy)
{
  static const guint csat[] = { 6, 7, 12, 30, 45 };                     /* 1..5 */
  static const guint csat_bad[] = { 30, 25, 20, 15, 10 };
  static const guint nps[] = { 2, 1, 1, 2, 2, 4, 6, 10, 16, 24, 32 };   /* 0..10 */
  static const guint nps_bad[] = { 14, 10, 12, 12, 10, 10, 10, 8, 6, 4, 4 };
  static const guint ces[] = { 4, 5, 8, 10, 18, 25, 30 };               /* 1..7 */
  static const guint ces_bad[] = { 18, 18, 18, 16, 12, 10, 8 };

  switch (kind)
    {
    case 0: return 1 + weighted (d, unhappy ? csat_bad : csat, 5);
    case 1: return weighted (d, unhappy ? nps_bad : nps, 11);
    default: return 1 + weighted (d, unhappy ? ces_bad : ces, 7);
    }
}

static gboolean
insert_survey (CustomerCtx  *c,
               const char   *conversation_id,
               guint         channel,
               const char   *agent_id,
               gint64        after,
               gboolean      complaint,
               GError      **error)
{
  Demo *d = c->d;
  sqlite3_stmt *s = d->ins_survey;
  g_autofree char *id = sapa_uuid_from_rand (d->rand);
  static const guint kinds_live[] = { 70, 10, 20 };
  static const guint kinds_written[] = { 40, 40, 20 };
  guint kind = weighted (d, is_live (channel) ? kinds_live : kinds_written, 3);
  const char *via;
  int score = survey_score (d, kind, complaint);
  gboolean good = (kind == 0 && score >= 4) || (kind == 1 && score >= 9) || (kind == 2 && score >= 5);
  gint64 at = after + rnd (d, 60, 2 * DAY);

  at = MIN (at, d->now);
  switch (channel)
    {
    case CH_WALK_IN: via = chance (d, 0.7) ? "kiosk" : "in_person"; break;
    case CH_PHONE: via = "phone"; break;
    case CH_CHAT: case CH_WHATSAPP: case CH_APP: via = "chat"; break;
    default: via = "link"; break;
    }

  bind_text (s, 1, id);
  bind_text (s, 2, sapa_survey_kinds[kind]);
  sqlite3_bind_int (s, 3, score);
  bind_text (s, 4, chance (d, 0.25) ? (good ? PICK (d, survey_comments_good) : PICK (d, survey_comments_bad)) : NULL);
  bind_text (s, 5, c->customer_id);
  bind_text (s, 6, conversation_id);
  bind_text (s, 7, agent_id);
  bind_text (s, 8, c->branch->id);
  bind_text (s, 9, sapa_channels[channel]);
  bind_text (s, 10, via);
  sqlite3_bind_int64 (s, 11, at);
  sqlite3_bind_int64 (s, 12, hlc_at (at));
  return step_reset (d, s, error);
}

static gboolean
insert_conversation (CustomerCtx  *c,
                     gint64        start,
                     guint         size,
                     GError      **error)
{
  Demo *d = c->d;
  const DemoBranch *b = c->branch;
  g_autofree char *id = sapa_uuid_from_rand (d->rand);
  guint origin = weighted (d, channel_weights[b->kind], N_CHANNELS);
  guint reason = weighted (d, reason_weights[b->kind], N_REASONS);
  const ReasonText *text = &reason_texts[reason];
  const char *agent = g_ptr_array_index (b->agent_ids, g_rand_int_range (d->rand, 0, b->agent_ids->len));
  gboolean complaint = reason == R_COMPLAINT || chance (d, 0.02);
  gboolean escalated = complaint && chance (d, 0.3);
  const char *department = escalated ? sapa_departments[g_rand_int_range (d->rand, 0, g_strv_length ((char **) sapa_departments))] : NULL;
  const char *escalation = escalated ? PICK (d, escalation_reasons) : NULL;
  gint64 t = working_time (d, b, start, is_live (origin));
  gint64 opened = t, first_response = 0, resolved = 0, follow_up = 0, last = t;
  guint contact_count = 0, steps_done = 0;
  gboolean inbound_last = FALSE;
  const char *status;
  const char *priority;
  guint ch = origin;
  sqlite3_stmt *s = d->ins_conversation;

  /* Status from how old the last contact is; decided up front so the
   * timeline can end with the status change. */
  gboolean old = d->now - t > 14 * DAY;
  if (old)
    status = chance (d, 0.75) ? "resolved" : "closed";
  else
    {
      static const guint w[] = { 40, 25, 35 };
      static const char * const s3[] = { "open", "pending", "resolved" };
      status = s3[weighted (d, w, 3)];
    }
  gboolean done = g_str_equal (status, "resolved") || g_str_equal (status, "closed");

  for (guint i = 0; i < size; i++)
    {
      gboolean last_entry = i + 1 == size;

      if (t > d->now - 60)
        t = d->now - 60 - (size - i);

      if (i == 0)
        {
          if (is_live (ch))
            {
              gint64 wait = queue_wait (d, ch);
              gint64 served = t + MAX (wait, 0);
              /* 15% of calls are ours: a call-back, announced by the agent */
              const char *dir = ch == CH_PHONE && chance (d, 0.15) ? "outbound" : "inbound";
              gint64 handle = handle_time (d, ch);

              if (!insert_interaction (c, id, ch, dir, NULL, agent, text->served[c->lang][rnd (d, 0, 1)],
                                       served, served + handle, g_str_equal (dir, "inbound") ? wait : 0,
                                       error))
                return FALSE;
              first_response = served;
              contact_count += g_str_equal (dir, "inbound");
              inbound_last = FALSE;
              t = served + handle;
            }
          else
            {
              if (!insert_interaction (c, id, ch, "inbound", NULL, NULL, text->ask[c->lang][rnd (d, 0, 2)],
                                       t, 0, -1, error))
                return FALSE;
              contact_count++;
              inbound_last = TRUE;
            }
          last = t;
          continue;
        }

      if (complaint && i == 1)
        {
          t += rnd (d, 30, 600);
          if (!insert_interaction (c, id, CH_NOTE, "internal", "complaint", agent, "1", t, 0, -1, error))
            return FALSE;
        }
      else if (escalated && i == 2)
        {
          g_autofree char *body = g_strdup_printf ("%s\n%s", department, escalation);

          t += rnd (d, 300, 7200);
          if (!insert_interaction (c, id, CH_NOTE, "internal", "escalation", agent, body, t, 0, -1, error))
            return FALSE;
        }
      else if (complaint && i > 2 && steps_done + 1 < g_strv_length ((char **) sapa_complaint_steps) && chance (d, 0.5))
        {
          g_autofree char *body = g_strdup_printf ("%s 1", sapa_complaint_steps[steps_done++]);

          t += rnd (d, 60, 3600);
          if (!insert_interaction (c, id, CH_NOTE, "internal", "checklist", agent, body, t, 0, -1, error))
            return FALSE;
        }
      else if (last_entry && done && size >= 3)
        {
          t += rnd (d, 60, 3 * 3600);
          if (!insert_interaction (c, id, CH_NOTE, "internal", "status", agent, status, t, 0, -1, error))
            return FALSE;
        }
      else if (chance (d, 0.08))
        {
          t += rnd (d, 60, 3600);
          if (!insert_interaction (c, id, CH_NOTE, "internal", NULL, agent, PICK (d, internal_notes), t, 0, -1, error))
            return FALSE;
        }
      else if (inbound_last)
        {
          t += reply_delay (d, ch);
          if (is_live (ch))
            {
              gint64 handle = handle_time (d, ch);
              if (!insert_interaction (c, id, ch, "outbound", NULL, agent, text->reply[c->lang][rnd (d, 0, 2)],
                                       t, t + handle, -1, error))
                return FALSE;
              t += handle;
            }
          else if (!insert_interaction (c, id, ch, "outbound", NULL, agent, text->reply[c->lang][rnd (d, 0, 2)],
                                        t, 0, -1, error))
            return FALSE;
          if (first_response == 0)
            first_response = t;
          inbound_last = FALSE;
        }
      else
        {
          /* The customer comes back, sometimes on another channel. */
          if (chance (d, 0.25))
            ch = weighted (d, channel_weights[b->kind], N_CHANNELS);
          t += rnd (d, 600, 4 * DAY);
          if (t > d->now - 60)
            t = d->now - 60;
          if (is_live (ch))
            {
              gint64 wait = queue_wait (d, ch);
              gint64 handle = handle_time (d, ch);

              gint64 before = t;

              t = working_time (d, b, t, TRUE);
              if (t < before)
                t += DAY;
              if (t > d->now - 3600)
                t = d->now - 3600;
              if (!insert_interaction (c, id, ch, "inbound", NULL, agent, text->served[c->lang][rnd (d, 0, 1)],
                                       t + wait, t + wait + handle, wait, error))
                return FALSE;
              t += wait + handle;
              inbound_last = FALSE;
            }
          else
            {
              if (!insert_interaction (c, id, ch, "inbound", NULL, NULL, text->ask[c->lang][rnd (d, 0, 2)],
                                       t, 0, -1, error))
                return FALSE;
              inbound_last = TRUE;
            }
          contact_count++;
        }
      last = t;
    }

  if (done)
    {
      resolved = last + rnd (d, 60, 6 * 3600);
      resolved = MIN (resolved, d->now);
    }
  if (complaint)
    {
      if (done)
        steps_done = g_strv_length ((char **) sapa_complaint_steps);
      else
        {
          guint at_least = rnd (d, 1, 5);
          steps_done = MAX (steps_done, at_least);
          follow_up = d->now + rnd (d, 1, 7) * DAY;
        }
    }
  if (complaint)
    priority = chance (d, 0.6) ? "high" : chance (d, 0.3) ? "urgent" : "normal";
  else
    {
      static const guint w[] = { 5, 85, 9, 1 };
      priority = sapa_priorities[weighted (d, w, 4)];
    }

  {
    g_autofree char *steps = json_list ((const char * const *) sapa_complaint_steps, steps_done);

    bind_text (s, 1, id);
    bind_text (s, 2, c->customer_id);
    bind_text (s, 3, b->id);
    bind_text (s, 4, sapa_channels[origin]);
    bind_text (s, 5, text->subject[c->lang]);
    bind_text (s, 6, sapa_contact_reasons[reason]);
    bind_text (s, 7, status);
    bind_text (s, 8, priority);
    bind_text (s, 9, agent);
    sqlite3_bind_int (s, 10, complaint);
    bind_text (s, 11, steps);
    bind_time (s, 12, follow_up);
    bind_text (s, 13, department);
    bind_text (s, 14, escalation);
    sqlite3_bind_int64 (s, 15, opened);
    bind_time (s, 16, first_response);
    bind_time (s, 17, resolved);
    sqlite3_bind_int64 (s, 18, contact_count);
    sqlite3_bind_int64 (s, 19, opened + sla_target (origin));
    sqlite3_bind_int64 (s, 20, hlc_at (MAX (resolved, last)));
    if (!step_reset (d, s, error))
      return FALSE;
  }

  if (done && chance (d, 0.35))
    return insert_survey (c, id, origin, agent, resolved, complaint, error);
  return TRUE;
}

static int
compare_time (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gboolean
insert_customer (Demo    *d,
                 gboolean heavy,
                 GError **error)
{
  static const guint segment_w[] = { 85, 12, 3 };
  static const guint pref_channel_w[N_CHANNELS] = { 20, 15, 10, 5, 25, 3, 2, 1, 2, 7, 0, 0 };
  guint bi = g_rand_int_range (d->rand, 0, d->branches->len);
  const DemoBranch *b = g_ptr_array_index (d->branches, bi);
  gint64 num = d->next_customer_num++;
  g_autofree char *id = sapa_uuid_from_rand (d->rand);
  g_autofree char *full = NULL, *first = NULL, *last = NULL;
  g_autofree char *name_key = NULL, *account = NULL;
  g_autofree char *phones_json = NULL, *emails_json = NULL, *tags_json = NULL;
  char *phones[2] = { NULL, NULL }, *emails[2] = { NULL, NULL };
  const char *tags[2];
  guint n_phones, n_emails = 0, n_tags = 0;
  gboolean foreign;
  gint64 created;
  guint n_total;
  CustomerCtx c = { d, b, id, 0, 0 };
  sqlite3_stmt *s = d->ins_customer;
  gboolean ok = FALSE;

  make_name (d, b->kind == 1, &full, &first, &last, &foreign);
  name_key = sapa_text_fold (full);
  c.lang = foreign || chance (d, 0.08) ? 1 : 0;

  n_phones = chance (d, 0.04) ? 0 : chance (d, 0.2) ? 2 : 1;
  for (guint i = 0; i < n_phones; i++)
    phones[i] = make_phone (d, foreign && i == 0);
  if (chance (d, 0.82))
    emails[n_emails++] = make_email (d, first, last, FALSE);
  if (n_emails > 0 && chance (d, 0.1))
    emails[n_emails++] = make_email (d, first, last, TRUE);
  if (chance (d, foreign ? 0.6 : 0.92))
    account = make_account (b->kind, bi, num);

  {
    const char * const *pool = b->kind == 0 ? tags_bank : b->kind == 1 ? tags_hotel : tags_retail;
    guint n_pool = b->kind == 0 ? G_N_ELEMENTS (tags_bank) : b->kind == 1 ? G_N_ELEMENTS (tags_hotel) : G_N_ELEMENTS (tags_retail);
    guint want = chance (d, 0.6) ? 0 : chance (d, 0.7) ? 1 : 2;

    for (guint i = 0; i < want; i++)
      {
        const char *tag = pool[g_rand_int_range (d->rand, 0, n_pool)];
        if (n_tags == 0 || !g_str_equal (tags[0], tag))
          tags[n_tags++] = tag;
      }
  }
  phones_json = json_list ((const char * const *) phones, n_phones);
  emails_json = json_list ((const char * const *) emails, n_emails);
  tags_json = json_list (tags, n_tags);

  /* History: the customer joined between two months and eight years ago. */
  created = d->now - (heavy ? 8 * 365 * DAY : rnd (d, 60, 8 * 365) * (gint64) DAY) - rnd (d, 0, DAY - 1);
  n_total = heavy ? HEAVY_TIMELINE : d->per_customer == 0 ? 0 : 1 + geometric (d, d->per_customer - 1.0);

  {
    g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint));
    g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gint64));
    guint left = n_total;

    while (left > 0)
      {
        guint size = 1 + geometric (d, 2.0);
        gint64 start;

        size = MIN (left, size);
        start = created + DAY + (gint64) (g_rand_double (d->rand) * (double) (d->now - created - 2 * DAY));
        g_array_append_val (sizes, size);
        g_array_append_val (starts, start);
        left -= size;
      }
    g_array_sort (starts, compare_time);
    for (guint i = 0; i < sizes->len; i++)
      if (!insert_conversation (&c, g_array_index (starts, gint64, i), g_array_index (sizes, guint, i), error))
        goto out;
  }

  sqlite3_bind_int64 (s, 1, num);
  bind_text (s, 2, id);
  bind_text (s, 3, full);
  bind_text (s, 4, phones_json);
  bind_text (s, 5, emails_json);
  bind_text (s, 6, account);
  bind_text (s, 7, sapa_segments[weighted (d, segment_w, 3)]);
  bind_text (s, 8, sapa_languages[c.lang]);
  bind_text (s, 9, chance (d, 0.7) ? sapa_channels[weighted (d, pref_channel_w, N_CHANNELS)] : NULL);
  bind_text (s, 10, tags_json);
  bind_text (s, 11, chance (d, 0.1) ? (c.lang ? PICK (d, notes_en) : PICK (d, notes_id)) : NULL);
  bind_text (s, 12, b->id);
  sqlite3_bind_int64 (s, 13, created);
  bind_text (s, 14, name_key);
  bind_time (s, 15, c.last_contact);
  sqlite3_bind_int64 (s, 16, hlc_at (created));
  ok = step_reset (d, s, error);

out:
  for (guint i = 0; i < 2; i++)
    {
      g_free (phones[i]);
      g_free (emails[i]);
    }
  return ok;
}

/* -- entry point -------------------------------------------------------- */

static gboolean
check_empty (const char  *path,
             GError     **error)
{
  g_autoptr(SapaStore) store = sapa_store_open (path, error);
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;
  gboolean has_customers = FALSE;
  int rc;

  if (store == NULL)
    return FALSE;

  db = sapa_store_acquire_reader (store);
  rc = sqlite3_prepare_v2 (db, "SELECT EXISTS (SELECT 1 FROM customer);", -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      has_customers = sqlite3_column_int (stmt, 0) != 0;
      rc = SQLITE_OK;
    }
  if (rc != SQLITE_OK)
    sapa_store_set_sqlite_error (error, db, rc, _("read the database"));
  sqlite3_finalize (stmt);
  sapa_store_release_reader (store, db);
  if (rc != SQLITE_OK)
    return FALSE;

  if (has_customers)
    {
      g_set_error (error, SAPA_STORE_ERROR, SAPA_STORE_ERROR_CONFLICT,
                   _("“%s” already has customers. Demo data go only into a new or empty database: choose another file."),
                   path);
      return FALSE;
    }
  return TRUE;
}

static void
report (SapaDemoProgress  progress,
        gpointer          user_data,
        const char       *stage,
        guint64           done,
        guint64           total)
{
  if (progress != NULL)
    progress (stage, done, total, user_data);
}

static gboolean
set_desk_meta (Demo    *d,
               GError **error)
{
  DemoBranch *b = g_ptr_array_index (d->branches, 0);
  g_autofree char *sql = g_strdup_printf ("INSERT OR IGNORE INTO desk_meta (key, value) VALUES "
                                          "('branch_id', '%s'), ('agent_id', '%s');",
                                          b->id, (const char *) g_ptr_array_index (b->agent_ids, 0));

  return exec (d, sql, error);
}

gboolean
sapa_demo_generate (const char             *path,
                    const SapaDemoOptions  *options,
                    SapaDemoProgress        progress,
                    gpointer                user_data,
                    GError                **error)
{
  Demo demo = { 0 };
  Demo *d = &demo;
  g_autoptr(GPtrArray) saved_sql = NULL;
  guint32 seed[2];
  gboolean ok = FALSE;
  gboolean in_transaction = FALSE;
  int rc;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Runs the migrations and refuses databases that are too new, damaged or in use. */
  if (!check_empty (path, error))
    return FALSE;

  seed[0] = (guint32) (options->seed & 0xffffffffu);
  seed[1] = (guint32) (options->seed >> 32);
  d->rand = g_rand_new_with_seed_array (seed, 2);
  d->now = options->now > 0 ? options->now : g_get_real_time () / G_USEC_PER_SEC;
  d->per_customer = options->interactions_per_customer;
  d->branches = g_ptr_array_new_with_free_func (demo_branch_free);

  rc = sqlite3_open_v2 (path, &d->db, SQLITE_OPEN_READWRITE, NULL);
  if (rc != SQLITE_OK)
    {
      sql_error (d, rc, _("open the database"), error);
      goto out;
    }
  sqlite3_busy_timeout (d->db, 3000);

  /* A bulk load: no fsync, a large cache, the journal in memory (a failed
   * chunk still rolls back), the WAL mode put back at the end. */
  if (!exec (d, "PRAGMA journal_mode = MEMORY;"
                "PRAGMA synchronous = OFF;"
                "PRAGMA foreign_keys = OFF;"
                "PRAGMA locking_mode = EXCLUSIVE;"
                "PRAGMA temp_store = MEMORY;"
                "PRAGMA cache_size = -1048576;"
                "PRAGMA threads = 2;", error))
    goto out;

  if (!exec (d, "BEGIN IMMEDIATE;", error))
    goto out;
  in_transaction = TRUE;
  {
    sqlite3_stmt *stmt = NULL;

    /* Customers, interactions: continue after what the database already holds. */
    if (sqlite3_prepare_v2 (d->db, "SELECT (SELECT coalesce(max(num), 0) FROM customer), "
                                   "(SELECT coalesce(max(num), 0) FROM interaction);", -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step (stmt) == SQLITE_ROW)
      {
        d->next_customer_num = sqlite3_column_int64 (stmt, 0) + 1;
        d->next_interaction_num = sqlite3_column_int64 (stmt, 1) + 1;
      }
    sqlite3_finalize (stmt);
  }
  if (!insert_branches_and_agents (d, error) || !set_desk_meta (d, error))
    goto out;
  /* The secondary indexes and the customer triggers of the loaded tables
   * come out during the load and go back at the end (sapa-store.c). */
  saved_sql = sapa_store_take_out_indexes_and_triggers (d->db, error);
  if (saved_sql == NULL)
    goto out;
  if (!exec (d, "COMMIT;", error))
    goto out;
  in_transaction = FALSE;

  if (!prepare (d, "INSERT INTO customer (num, id, full_name, phones, emails, account_number, segment, "
                   "preferred_language, preferred_channel, tags, notes, branch_id, created_at, name_key, "
                   "last_contact_at, updated_hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);",
                &d->ins_customer, error) ||
      !prepare (d, "INSERT INTO conversation (id, customer_id, branch_id, channel, subject, reason, status, "
                   "priority, assignee_id, is_complaint, complaint_steps, follow_up_due, escalated_to, "
                   "escalation_reason, opened_at, first_response_at, resolved_at, contact_count, sla_due, "
                   "updated_hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);",
                &d->ins_conversation, error) ||
      !prepare (d, "INSERT INTO interaction (num, id, conversation_id, customer_id, channel, direction, event, "
                   "author_id, body, started_at, ended_at, wait_seconds, created_hlc) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);",
                &d->ins_interaction, error) ||
      !prepare (d, "INSERT INTO survey_response (id, kind, score, comment, customer_id, conversation_id, "
                   "agent_id, branch_id, channel, collected_via, collected_at, created_hlc) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);",
                &d->ins_survey, error))
    goto out;

  report (progress, user_data, "customers", 0, options->customers);
  for (guint i = 0; i < options->customers; i++)
    {
      if (i % CHUNK_CUSTOMERS == 0)
        {
          if (!exec (d, "BEGIN IMMEDIATE;", error))
            goto out;
          in_transaction = TRUE;
        }
      if (!insert_customer (d, i == 0 && options->customers >= HEAVY_THRESHOLD, error))
        goto out;
      if ((i + 1) % CHUNK_CUSTOMERS == 0 || i + 1 == options->customers)
        {
          if (!exec (d, "COMMIT;", error))
            goto out;
          in_transaction = FALSE;
          report (progress, user_data, "customers", i + 1, options->customers);
        }
    }

  /* The search tables and indexes, built once over all rows. */
  report (progress, user_data, "search", 0, 1);
  if (!exec (d, "BEGIN IMMEDIATE;", error))
    goto out;
  in_transaction = TRUE;
  if (!sapa_store_rebuild_search (d->db, error))
    goto out;
  report (progress, user_data, "search", 1, 1);

  /* The metrics rollups, whose triggers were taken out with the others. */
  if (!sapa_metrics_rebuild_db (d->db, error))
    goto out;

  report (progress, user_data, "indexes", 0, saved_sql->len);
  for (guint i = 0; i < saved_sql->len; i++)
    {
      if (!exec (d, g_ptr_array_index (saved_sql, i), error))
        goto out;
      report (progress, user_data, "indexes", i + 1, saved_sql->len);
    }
  if (!exec (d, "COMMIT;", error))
    goto out;
  in_transaction = FALSE;

  if (!exec (d, "PRAGMA locking_mode = NORMAL; PRAGMA journal_mode = WAL;", error))
    goto out;
  ok = TRUE;

out:
  if (in_transaction)
    sqlite3_exec (d->db, "ROLLBACK;", NULL, NULL, NULL);
  if (!ok && error != NULL && *error != NULL && saved_sql != NULL)
    g_prefix_error (error, "%s ", _("The demo data are incomplete: delete the database file and run again."));
  sqlite3_finalize (d->ins_customer);
  sqlite3_finalize (d->ins_conversation);
  sqlite3_finalize (d->ins_interaction);
  sqlite3_finalize (d->ins_survey);
  if (d->db != NULL)
    sqlite3_close (d->db);
  g_ptr_array_unref (d->branches);
  g_rand_free (d->rand);
  return ok;
}

/* -- progress on a command line ------------------------------------------- */

static const char *
stage_label (const char *stage)
{
  if (g_str_equal (stage, "customers"))
    /* Translators: a step of writing demo data */
    return _("Customers and their history");
  if (g_str_equal (stage, "search"))
    /* Translators: a step of writing demo data */
    return _("Search index");
  if (g_str_equal (stage, "indexes"))
    /* Translators: a step of writing demo data */
    return _("Database indexes");
  return stage;
}

void
sapa_demo_printer_start (SapaDemoPrinter *printer)
{
  g_return_if_fail (printer != NULL);

  printer->started = g_get_monotonic_time ();
  printer->last_stage = NULL;
  printer->last_percent = -1;
  printer->tty = isatty (STDERR_FILENO);
}

void
sapa_demo_printer_progress (const char *stage,
                            guint64     done,
                            guint64     total,
                            gpointer    user_data)
{
  SapaDemoPrinter *p = user_data;
  int percent = total ? (int) (done * 100 / total) : 100;

  if (p->last_stage == stage && percent == p->last_percent)
    return;
  /* Into a file or a log: every tenth percent is enough. */
  if (!p->tty && percent != 100 && percent % 10 != 0 && p->last_stage == stage)
    return;
  if (p->last_stage != NULL && p->last_stage != stage && p->tty)
    g_printerr ("\n");
  p->last_stage = stage;
  p->last_percent = percent;
  /* Translators: progress line: the step, how far (percent), the seconds so far */
  g_printerr (_("%s: %d%% (%.0f s)"), stage_label (stage), percent,
              (g_get_monotonic_time () - p->started) / (double) G_USEC_PER_SEC);
  g_printerr (p->tty ? "\r" : "\n");
}

void
sapa_demo_printer_finish (SapaDemoPrinter *printer)
{
  g_return_if_fail (printer != NULL);

  if (printer->tty && printer->last_stage != NULL)
    g_printerr ("\n");
}
