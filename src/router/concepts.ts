/**
 * A small, general agricultural and animal-health thesaurus. Each group names a concept and the
 * everyday, technical and common/scientific names that mean it; a word may sit in several groups
 * (a synonym group and a broader one). The built-in embedder adds a `#concept` token next to each
 * word that belongs to a group, so "cow" meets "cattle" and "grasshopper" meets "locust".
 *
 * Groups describe words, never experts or domains. Phrases (two or three words) are matched on
 * consecutive content words.
 */
import { stem, words } from './text.ts'

const GROUPS: Record<string, string> = {
  // animals
  cattle: 'cattle cow bull heifer calf calves ox oxen steer bovine zebu brahman boran ankole sahiwal',
  goat: 'goat goats caprine billy nanny',
  sheep: 'sheep ewe lamb ram ovine mutton',
  pig: 'pig swine hog sow piglet boar porcine pork',
  poultry: 'poultry chicken hen rooster cockerel fowl broiler chick pullet',
  equine: 'horse donkey mule equine',
  camel: 'camel dromedary',
  dog: 'dog puppy canine hound',
  livestock: 'livestock cattle cow bull heifer calf ox goat sheep ewe lamb pig swine hen chicken poultry donkey horse camel herd flock ruminant animal',
  young: 'young baby juvenile fingerling fry calf kid lamb piglet chick larva larvae seedling',
  reproduction: 'breeding mating semen insemination pregnant pregnancy fertility conception calving kidding lambing spawning oestrus estrus heat',
  milk: 'milk milking dairy lactation lactating',
  udder: 'udder teat mastitis',
  // animal health
  disease: 'disease illness sick ill infection infected virus viral bacterial pathogen outbreak epidemic syndrome',
  medicine: 'medicine drug treatment treat remedy cure dose antibiotic medication',
  vaccine: 'vaccine vaccination vaccinate jab immunise immunization booster',
  deworm: 'deworm dewormer deworming anthelmintic drench wormer',
  parasite: 'parasite parasitic helminth fluke tick mite louse lice',
  fever: 'fever feverish temperature',
  skin: 'skin hide lump nodule sore ulcer lesion blister wound swelling rash blotch scab',
  lameness: 'hoof hooves lame limp limping lameness',
  breathing: 'cough coughing breathe breathing breathless respiratory pneumonia lung pleuropneumonia',
  bloat: 'bloat bloated bloating swollen distended rumen',
  venom: 'snake snakebite venom viper cobra adder',
  rabies: 'rabies rabid',
  biting_fly: 'fly flies tsetse midge mosquito horsefly stable',
  mineral: 'mineral lick supplement supplementation premix vitamin',
  // fish and water animals
  fish: 'fish tilapia catfish carp fingerling broodstock fishery',
  pond: 'pond ponds hapa cage raceway',
  shrimp: 'shrimp prawn crayfish',
  shellfish: 'oyster mussel shellfish clam',
  seaweed: 'seaweed kelp',
  algae: 'algae algal scum phytoplankton',
  oxygen: 'oxygen aeration aerator gasp gasping suffocate',
  feed: 'feed food ration fodder forage pellet diet feeding',
  smoking: 'smoke smoking smoked kiln',
  sex: 'male female sex monosex',
  // crops and pests
  maize: 'maize corn cob',
  rice: 'rice paddy',
  legume: 'legume bean beans cowpea soybean soya groundnut peanut pea lentil pulse',
  cassava: 'cassava manioc',
  fruit_tree: 'mango orange citrus banana avocado plantain cashew macadamia orchard',
  berry: 'berry cherry',
  sugarcane: 'sugarcane cane',
  grape: 'grape vine vineyard',
  cocoa: 'cocoa cacao',
  insect: 'pest insect bug caterpillar larva grub maggot beetle weevil moth borer locust grasshopper aphid whitefly thrips bruchid armyworm bollworm',
  locust: 'locust grasshopper swarm',
  weevil: 'weevil beetle bruchid borer',
  mite: 'mite spider',
  caterpillar: 'caterpillar armyworm bollworm larva',
  weed: 'weed weeds striga witchweed',
  crop_disease: 'rust blight mildew mosaic streak wilt rot',
  biocontrol: 'predator parasitoid ladybird lacewing wasp biocontrol',
  storage: 'storage store stored granary silo sack bag warehouse',
  harvest: 'harvest harvesting reap pick',
  moisture: 'moisture dry drying damp wet',
  // soils
  soil: 'soil ground dirt earth land topsoil subsoil',
  acidity: 'acid acidic sour acidity',
  lime: 'lime liming calcareous chalk chalky',
  clay: 'clay vertisol',
  sand: 'sand sandy silt loam texture',
  compaction: 'compaction compacted compact hardpan packed trampled',
  crust: 'crust crusting crusted capping',
  erosion: 'erosion erode eroded gully gullies runoff',
  infiltration: 'infiltration soak soaks seep percolation percolate',
  sample: 'sample sampling test testing analysis lab laboratory',
  manure: 'manure dung droppings faeces feces excreta slurry',
  nutrient: 'nutrient fertility fertilizer fertiliser npk nitrogen phosphorus phosphate potassium',
  compost: 'compost composting vermicompost heap pile humus mulch',
  earthworm: 'earthworm worm vermicompost',
  charcoal: 'biochar charcoal char',
  carbon: 'carbon sequestration',
  metal: 'cadmium mercury arsenic chromium contaminated contamination polluted pollution',
  mine: 'mine mining quarry tailings',
  fire: 'fire burn burnt burned bushfire wildfire charred pyrolysis pyrolysed',
  pasture: 'pasture grazing grassland rangeland veld meadow graze',
  degraded: 'degraded degradation worn exhausted depleted barren bare wasteland',
  restore: 'restore restoration rehabilitate rehabilitation reclaim reclamation repair heal revive regenerate',
  termite: 'termite termitarium anthill',
  toxicity: 'toxicity toxic poison poisoning',
  pen: 'kraal boma pen corral enclosure',
  // water and irrigation
  irrigation: 'irrigation irrigate irrigated watering',
  drip: 'drip dripper emitter trickle',
  pipe: 'pipe pipeline lateral hose tubing mainline',
  pump: 'pump pumping motor',
  sprinkler: 'sprinkler sprinklers',
  canal: 'canal channel ditch furrow',
  clogging: 'clog clogging clogged blocked blockage plugged',
  tank: 'tank reservoir cistern',
  rain: 'rain rainwater rainfall',
  frost: 'frost freeze freezing',
  flooding: 'flood flooding waterlogged waterlogging soggy swampy saturated inundated',
  drought: 'drought arid semiarid dryland',
  salinity: 'salinity saline salty brackish sodic sodium salinised salinized salt',
  solar: 'solar photovoltaic pv panel',
  treadle: 'treadle pedal',
  slope: 'hill hilltop slope sloping hillside incline gravity',
  measure: 'measure measuring measurement gauge meter estimate calculate',
  wetland: 'wetland swamp marsh bog',
  // farming systems
  tree: 'tree shrub bush agroforestry',
  hedge: 'hedge hedgerow fence windbreak',
  shade: 'shade canopy shading',
  flower: 'flower flowering blossom nectar',
  nematode: 'nematode eelworm gall',
  cover_crop: 'cover mucuna',
  licence: 'licence license permit',
  transport: 'transport transported transporting deliver delivery haul truck'
}

/** Two- and three-word names folded to one concept, e.g. common names of species in the library. */
const PHRASES: Record<string, string> = {
  'velvet bean': 'cover_crop mucuna',
  'natural enemy': 'biocontrol',
  'natural enemies': 'biocontrol',
  'beneficial insects': 'biocontrol',
  'worm medicine': 'deworm',
  'black cotton soil': 'clay vertisol',
  'foot pump': 'treadle',
  'heavy metals': 'metal',
  'heavy metal': 'metal',
  'white acacia': 'faidherbia tree',
  'apple ring acacia': 'faidherbia tree',
  'coral tree': 'erythrina tree',
  'drumstick tree': 'moringa tree',
  'witch weed': 'striga weed',
  'fall armyworm': 'armyworm caterpillar'
}

function stems (list: string): string[] {
  return list.split(/\s+/).filter(Boolean).map(w => stem(w))
}

const WORD_TO_CONCEPTS = new Map<string, string[]>()
for (const [concept, list] of Object.entries(GROUPS)) {
  for (const s of stems(list)) {
    const known = WORD_TO_CONCEPTS.get(s) ?? []
    if (!known.includes(concept)) known.push(concept)
    WORD_TO_CONCEPTS.set(s, known)
  }
}

const PHRASE_TO_TOKENS = new Map<string, string[]>()
for (const [phrase, targets] of Object.entries(PHRASES)) {
  PHRASE_TO_TOKENS.set(words(phrase).map(w => stem(w)).join(' '), targets.split(/\s+/))
}

/** Concept tokens (`#name`) for one stemmed word. */
export function conceptsOf (wordStem: string): string[] {
  return WORD_TO_CONCEPTS.get(wordStem) ?? []
}

/**
 * Tokens added for phrases found in a stemmed word sequence: group names become `#name`,
 * other targets are added as plain stems (a scientific name the library uses).
 */
export function phraseTokens (sequence: string[]): string[] {
  const out: string[] = []
  for (let n = 2; n <= 3; n++) {
    for (let i = 0; i + n <= sequence.length; i++) {
      const targets = PHRASE_TO_TOKENS.get(sequence.slice(i, i + n).join(' '))
      if (targets == null) continue
      for (const t of targets) out.push(t in GROUPS ? `#${t}` : stem(t))
    }
  }
  return out
}

/** Number of groups and distinct words, for reports. */
export function thesaurusSize (): { groups: number, words: number, phrases: number } {
  return { groups: Object.keys(GROUPS).length, words: WORD_TO_CONCEPTS.size, phrases: PHRASE_TO_TOKENS.size }
}
