-- Search: the queue that keeps the search index in step with the directory, and the synonyms.
--
-- Every directory write inserts the ids of the services it touched into search_sync in the same
-- transaction; the sync worker applies them to the index (embedded or Meilisearch) and deletes
-- the rows, retrying with backoff while the index cannot be reached. generation goes up each time
-- a row is queued again, so a write made while an update is under way is not lost with it.
CREATE TABLE search_sync (
    service_id TEXT PRIMARY KEY NOT NULL,
    generation BIGINT NOT NULL DEFAULT 1,
    queued_at TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT
);
CREATE INDEX search_sync_next ON search_sync (next_attempt_at);

-- Synonym groups: terms separated by commas, e.g. 'asd, autism, autistic'. Editable by admins
-- (`signpost synonyms`); the shipped list below is family-services language.
CREATE TABLE search_synonym (
    id TEXT PRIMARY KEY NOT NULL,
    terms TEXT NOT NULL,
    position BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

INSERT INTO search_synonym (id, terms, position, updated_at) VALUES
    ('ebbd26ff-ffc4-5994-b9d4-7c5ae5c51cde', 'asd, autism, autistic, autistic spectrum condition, asc', 1, '2026-11-22T00:00:00Z'),
    ('61174bcf-a4aa-5b5b-99fc-82f70e14ff18', 'sen, send, special needs, special educational needs, sen support', 2, '2026-11-22T00:00:00Z'),
    ('21a887b8-c90c-53e6-9b01-9951fa38d59e', 'adhd, attention deficit', 3, '2026-11-22T00:00:00Z'),
    ('eccfeb23-9527-5309-be0c-655682b05507', 'camhs, mental health, emotional wellbeing', 4, '2026-11-22T00:00:00Z'),
    ('dcc2c539-9050-5e51-8014-206b79f4c0b5', 'toddler, toddlers, under 5s, under fives, preschool, pre school', 5, '2026-11-22T00:00:00Z'),
    ('b86c500f-6d9e-5df2-a269-0810573489eb', 'respite, short breaks', 6, '2026-11-22T00:00:00Z'),
    ('e7922f17-aaf6-5f6d-9a0b-bae046b0c80a', 'ehcp, education health and care plan', 7, '2026-11-22T00:00:00Z'),
    ('96b5661e-c213-5b1a-9ba4-174d7f992c1c', 'domestic abuse, domestic violence, dv', 8, '2026-11-22T00:00:00Z'),
    ('45b71dea-7825-5ab4-aa7a-50c1bc0ce559', 'counselling, counseling, talking therapy', 9, '2026-11-22T00:00:00Z'),
    ('e8a32152-2a3a-5ed6-b909-86861a36c226', 'disabled, disability, disabilities', 10, '2026-11-22T00:00:00Z'),
    ('ede38fea-7fca-559a-a719-2255a77593cf', 'baby, babies, newborn, infant', 11, '2026-11-22T00:00:00Z'),
    ('ccdf7476-4bd1-57af-99c4-3181c44027f5', 'teenager, teenagers, teens, teen, young people', 12, '2026-11-22T00:00:00Z'),
    ('10991138-cb76-585d-a710-e0774a715f0c', 'holiday club, holiday activities, haf', 13, '2026-11-22T00:00:00Z'),
    ('9071676e-facb-5ac6-9e5c-1b9ba01aa8c7', 'food bank, foodbank, food parcels', 14, '2026-11-22T00:00:00Z'),
    ('11f47aeb-3199-5938-8db3-23929fecd076', 'dad, dads, fathers', 15, '2026-11-22T00:00:00Z'),
    ('804a8ebf-9650-5cc5-a0e3-6a16f0b5f927', 'mum, mums, mothers', 16, '2026-11-22T00:00:00Z'),
    ('59b4770d-1ba8-5327-b768-4048afb9aa2c', 'bereavement, grief', 17, '2026-11-22T00:00:00Z'),
    ('4e45784d-ae32-58e4-83e9-823d317f60ef', 'speech and language, salt, speech therapy', 18, '2026-11-22T00:00:00Z'),
    ('593d0c3c-f944-59a9-86df-cd00f981fcfe', 'money advice, benefits advice, debt advice', 19, '2026-11-22T00:00:00Z'),
    ('fe6573ad-1549-57ce-824d-b4e88cbbf1eb', 'ocd, obsessive compulsive', 21, '2026-11-22T00:00:00Z'),
    ('85fdd1fd-ea0a-58a9-9304-dd788070ecbd', 'young carer, young carers, yc', 22, '2026-11-22T00:00:00Z');
