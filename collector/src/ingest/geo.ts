import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Reader, type CityResponse } from 'mmdb-lib';

export interface Location {
  country: string;
  region: string;
  city: string;
}

/** The fields read from a record: ip-location-db's `country_code`, or MaxMind's city/country shape. */
type GeoRecord = CityResponse & { country_code?: string };

const nowhere: Location = { country: '', region: '', city: '' };

/** The country database that ships in an npm package (CC0): countries only, IPv4 and IPv6. */
function bundledDatabase(): Buffer {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb'));
}

/**
 * Where a visitor is, from the client IP: a trusted CDN header when one is configured
 * (COUNTRY_HEADER, e.g. cf-ipcountry), else an IP database — GEOIP_DB (a MaxMind-format city or
 * country database) or the bundled country database. Nothing about the IP is stored.
 */
export class GeoLocator {
  readonly #reader: Reader<GeoRecord>;
  readonly #countryHeader: string | null;

  constructor({ countryHeader, geoipDb }: { countryHeader: string | null; geoipDb: string | null }) {
    this.#reader = new Reader<GeoRecord>(geoipDb ? readFileSync(geoipDb) : bundledDatabase());
    this.#countryHeader = countryHeader;
  }

  locate(ip: string, headers: NodeJS.Dict<string | string[]>): Location {
    if (this.#countryHeader) {
      const value = headers[this.#countryHeader];
      // XX (unknown) and T1 (Tor) are what CDNs send when they do not know.
      if (typeof value === 'string' && /^[A-Za-z]{2}$/.test(value) && !/^(XX|T1)$/i.test(value)) {
        return { country: value.toUpperCase(), region: '', city: '' };
      }
    }
    let record: GeoRecord | null;
    try {
      record = this.#reader.get(ip);
    } catch {
      return nowhere;
    }
    if (!record) return nowhere;
    const country = record.country_code ?? record.country?.iso_code ?? '';
    const subdivision = record.subdivisions?.[0]?.iso_code;
    return { country, region: country && subdivision ? `${country}-${subdivision}` : '', city: record.city?.names?.en ?? '' };
  }
}
