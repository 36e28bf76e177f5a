import { Faker, en } from '@faker-js/faker';

/**
 * Names and places drawn once from faker (seeded), so that per-row work is only an index into an
 * array. `handles` are the lowercase ASCII forms used in usernames and emails.
 */
export type NamePool = { names: string[]; handles: string[] };

export type NamePools = {
  female: NamePool;
  male: NamePool;
  family: NamePool;
  cities: string[];
  /** Short place-like names for schools ("Lincoln", "Maple Grove" …). */
  schoolNames: string[];
  districtCity: string;
};

export function handleOf(name: string): string {
  return name
    .normalize('NFD')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

function pool(draw: () => string, size: number): NamePool {
  const names = [...new Set(Array.from({ length: size }, draw))].filter((n) => handleOf(n) !== '');
  return { names, handles: names.map(handleOf) };
}

export function buildNamePools(seed: number): NamePools {
  const faker = new Faker({ locale: [en] });
  faker.seed(seed);
  const cityOnly = () => faker.location.city();
  return {
    female: pool(() => faker.person.firstName('female'), 800),
    male: pool(() => faker.person.firstName('male'), 800),
    family: pool(() => faker.person.lastName(), 1500),
    cities: [...new Set(Array.from({ length: 300 }, cityOnly))],
    schoolNames: [
      ...new Set([
        ...Array.from({ length: 600 }, () => faker.person.lastName()),
        ...Array.from({ length: 600 }, () => faker.location.street().replace(/ \w+$/, '')),
      ]),
    ].filter((name) => /^[A-Z][a-z]+( [A-Z][a-z]+)*$/.test(name)),
    districtCity: cityOnly(),
  };
}
