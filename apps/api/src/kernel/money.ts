/** An amount in the currency's minor unit (cents), as the database stores prices. */
export interface Money {
  amount: number;
  currency: string;
}
